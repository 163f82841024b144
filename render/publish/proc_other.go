//go:build !unix

package publish

// processAlive reports whether a process with id pid exists; without a
// cheap way to tell, it says yes, and RemoveStale goes by age alone.
func processAlive(int) bool { return true }
