package page

// css is the style sheet of every page. Colours meet WCAG AA contrast in
// both schemes; focus is always visible.
const css = `:root{color-scheme:light dark;--bg:#f3f4f6;--card:#fff;--text:#1c1f24;--muted:#555c66;--border:#d5d9df;` +
	`--accent:#2952c8;--on-accent:#fff;--ok:#146c35;--error:#b3261e;--field:#fff;--code:#eceff3;--alert:#fdecea}` +
	`@media (prefers-color-scheme:dark){:root{--bg:#121417;--card:#1e2126;--text:#e8eaed;--muted:#a9b0ba;--border:#3b4048;` +
	`--accent:#93b1ff;--on-accent:#0b1530;--ok:#74d394;--error:#ff9c94;--field:#121417;--code:#2b2f36;--alert:#3a2220}}` +
	`*{box-sizing:border-box}` +
	`html{background:var(--bg)}` +
	`body{margin:0;min-height:100vh;display:flex;flex-direction:column;align-items:center;justify-content:center;` +
	`padding:2rem 1rem;background:var(--bg);color:var(--text);` +
	`font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}` +
	`.brand{margin:0 0 1rem;font-size:1.05rem;font-weight:700;letter-spacing:.01em;color:var(--text)}` +
	`main{width:100%;max-width:27rem;background:var(--card);border:1px solid var(--border);border-radius:14px;` +
	`padding:2rem 2rem 1.75rem;box-shadow:0 1px 2px rgba(0,0,0,.06),0 8px 24px rgba(0,0,0,.06)}` +
	`h1{margin:0 0 1rem;font-size:1.4rem;line-height:1.3}` +
	`.ok h1{color:var(--ok)}.error h1{color:var(--error)}` +
	`p{margin:0 0 1rem}ul{margin:0 0 1rem;padding-left:1.25rem}` +
	`.muted{color:var(--muted);font-size:.925rem}` +
	`.next{font-weight:600}` +
	`a{color:var(--accent);text-underline-offset:.15em}` +
	`label{display:block;margin:0 0 .3rem;font-weight:600}` +
	`input:not([type=hidden]){display:block;width:100%;margin:0 0 1.1rem;padding:.65rem .75rem;font:inherit;` +
	`color:var(--text);background:var(--field);border:1px solid var(--border);border-radius:8px}` +
	`.button,button{display:inline-block;padding:.65rem 1.2rem;font:inherit;font-weight:600;line-height:1.25;` +
	`text-align:center;text-decoration:none;color:var(--on-accent);background:var(--accent);` +
	`border:1px solid var(--accent);border-radius:8px;cursor:pointer}` +
	`.secondary{color:var(--accent);background:transparent}` +
	`form button[type=submit]:only-of-type{width:100%}` +
	`.actions{display:flex;flex-wrap:wrap;gap:.75rem;margin:1.5rem 0 0}` +
	`.actions form{margin:0}` +
	`:focus-visible{outline:3px solid var(--accent);outline-offset:2px}` +
	`code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;background:var(--code);` +
	`padding:.1rem .35rem;border-radius:4px;overflow-wrap:anywhere}` +
	`.alert{margin:0 0 1rem;padding:.6rem .8rem;border-left:4px solid var(--error);background:var(--alert);border-radius:4px}` +
	`footer{margin:1.25rem 0 0;text-align:center}`
