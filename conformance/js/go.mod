module github.com/fief-dev/fief-go/conformance/js

go 1.25.0
