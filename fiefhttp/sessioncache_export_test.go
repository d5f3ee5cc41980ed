package fiefhttp

// SessionCacheLen returns the number of sessions in f's verified-session
// cache, -1 when it has none.
func SessionCacheLen(f *WebFlow) int {
	if f.sessionCache == nil {
		return -1
	}
	return f.sessionCache.len()
}
