package main

import (
	"fmt"
	"regexp"
	"strings"
)

// changelogName is the changelog at the top of the repository, in the Keep a
// Changelog format.
const changelogName = "CHANGELOG.md"

var sectionRE = regexp.MustCompile(`(?m)^## `)

// unreleased returns the body of the changelog's "## [Unreleased]" section.
func unreleased(text string) (string, error) {
	const h = "## [Unreleased]"
	i := strings.Index(text, "\n"+h+"\n")
	if i < 0 {
		return "", fmt.Errorf("%s has no %q heading", changelogName, h)
	}
	body := text[i+len(h)+2:]
	if j := sectionRE.FindStringIndex(body); j != nil {
		body = body[:j[0]]
	}
	return body, nil
}

// releaseChangelog moves the Unreleased entries under a heading for version
// (without its "v") and date, leaving an empty Unreleased section above.
func releaseChangelog(text, version, date string) (string, error) {
	body, err := unreleased(text)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(body) == "" {
		return "", fmt.Errorf("the %q section of %s is empty: say what this release brings before releasing it", "Unreleased", changelogName)
	}
	h := "\n## [Unreleased]\n"
	return strings.Replace(text, h, h+"\n"+fmt.Sprintf("## [%s] - %s\n", strings.TrimPrefix(version, "v"), date), 1), nil
}

// namedEntries returns the lines of the Unreleased section's "Changed",
// "Removed" and "Deprecated" subsections: where an incompatible API change
// must be named.
func namedEntries(text string) string {
	body, err := unreleased(text)
	if err != nil {
		return ""
	}
	var b strings.Builder
	keep := false
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, "### ") {
			h := strings.TrimSpace(strings.TrimPrefix(line, "### "))
			keep = h == "Changed" || h == "Removed" || h == "Deprecated"
			continue
		}
		if keep {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}
