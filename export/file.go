package export

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// checkTarget refuses a target that exists (unless overwrite) or is not a
// regular file, before any work is done.
func checkTarget(path string, overwrite bool) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("cannot write a file in folder %s: %w", filepath.Dir(path), err)
	case fi.IsDir():
		return fmt.Errorf("%s is a folder, not a movie file", path)
	case !overwrite:
		return fmt.Errorf("%s already exists (choose overwrite to replace it): %w", path, fs.ErrExist)
	}
	return nil
}

// createTemp creates the hidden temporary file the movie is written to, in
// the target's folder so the final rename stays on one file system.
func createTemp(path string) (string, error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".flick-*.tmp")
	if err != nil {
		return "", fmt.Errorf("cannot write a file in folder %s: %w", dir, err)
	}
	name := f.Name()
	if err := f.Close(); err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// commit makes the finished temporary file durable and moves it to path:
// never over an existing file unless overwrite. On error tmp is left for the
// caller to remove.
func commit(tmp, path string, overwrite bool) error {
	f, err := os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	// CreateTemp made it 0600; a movie is for others to watch.
	err = errors.Join(f.Chmod(0o644), f.Sync(), f.Close())
	if err != nil {
		return err
	}
	if overwrite {
		err = os.Rename(tmp, path)
	} else {
		err = moveNoReplace(tmp, path)
	}
	if err != nil {
		return err
	}
	dir, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	return errors.Join(dir.Sync(), dir.Close())
}

// moveNoReplace renames tmp to path unless path exists, atomically: a hard
// link fails when the name is taken. File systems without hard links fall
// back to a check and a rename.
func moveNoReplace(tmp, path string) error {
	err := os.Link(tmp, path)
	switch {
	case err == nil:
		return os.Remove(tmp)
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("%s appeared while exporting; not replaced: %w", path, fs.ErrExist)
	}
	if err := checkTarget(path, false); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
