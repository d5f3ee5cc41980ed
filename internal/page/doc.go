// Package page is the look shared by every HTML page of fief-go: the sign-in
// pages of fiefhttp and fiefcli, the pages of the examples and those of
// fieftest's Fief. A page is a centred card on a plain background, with a
// light and a dark scheme (prefers-color-scheme), its CSS inline: it makes no
// request of its own and reads the same without JavaScript.
//
// [Parse] gives a template set whose "head" and "foot" templates frame a
// page; the data of such a page has the fields of a [Frame], most simply by
// embedding one. [Message] is a ready-made
// page: a heading, a sentence, an optional error code and a next step with
// buttons. [Write] executes a template and sends it with the headers every
// page gets (no caching, no sniffing, a Content-Security-Policy that allows
// nothing but the inline style); [Render] sends it with no other header.
package page
