package atomicfile

import "time"

// renameBudget is how long a rename keeps retrying a passing refusal: long
// enough for a reader to close a small file, short enough that a file held
// open for good fails the write soon.
const renameBudget = 2 * time.Second

// renameRetrying calls rename until it succeeds, fails with an error that
// transient does not accept, or renameBudget is spent, waiting a little
// longer between tries each time.
func renameRetrying(rename func(oldpath, newpath string) error, transient func(error) bool,
	sleep func(time.Duration), oldpath, newpath string) error {
	delay, waited := 5*time.Millisecond, time.Duration(0)
	for {
		err := rename(oldpath, newpath)
		if err == nil || !transient(err) || waited >= renameBudget {
			return err
		}
		sleep(delay)
		waited += delay
		delay = min(delay*2, 200*time.Millisecond)
	}
}
