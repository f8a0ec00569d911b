package ui

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"flick/engine"
)

// stepVersion opens the version step away from the current shot's
// (Alt+PageDown 1, Alt+PageUp -1: engine.StepVersion over the v### in its
// pattern's path), even one not in the session, in the background (the
// folder is listed, a network drive may stall); replaceShot puts it in the
// shot's place. Past the last or first version, or with no version in the
// path, the status line says so and nothing changes.
func (a *app) stepVersion(step int) {
	s := a.src()
	from := filepath.Join(s.seq.Dir, s.seq.Pattern())
	go func() {
		to, err := engine.StepVersion(from, step)
		o := opened{path: to, err: err}
		switch {
		case errors.Is(err, engine.ErrNoVersion) && step > 0:
			o.err = fmt.Errorf("%s is the last version", filepath.Base(from))
		case errors.Is(err, engine.ErrNoVersion):
			o.err = fmt.Errorf("%s is the first version", filepath.Base(from))
		case err == nil:
			o = inspect(to, nil)
		}
		o.replace = s
		a.opening <- o
	}()
}

// replaceShot puts the version o opened in the place of the shot it was
// stepped from (o.replace), as mrv2 does: the same place in the session,
// offset and selection by name (part, view, layer; the file's default
// where the version lacks it), and when it is the shot shown, the same
// frame number where the version has it, else relativeFrame's. The shot
// replaced is closed (its loader without waiting).
func (a *app) replaceShot(o opened) {
	old := o.replace
	i := slices.Index(a.ses.shots, old)
	switch {
	case o.err != nil:
		a.log.add(levelWarning, o.err.Error())
		return
	case i < 0:
		a.log.add(levelWarning, fmt.Sprintf("%s: the shot it replaces was removed", o.path))
		return
	}
	s := newSource(o)
	s.offset = old.offset
	if err := s.selectNames(old.names()); err != nil {
		a.log.add(levelWarning, err.Error()+"; its default channels are shown")
	}
	if i == a.ses.cur {
		a.dlg.export.cancelAndWait(a.win.Queue()) // it reads the shot replaced
	}
	if l := old.unload(); l != nil {
		go l.Close() // it drops its frames from the cache; its decodes may wait on a stalled drive
	}
	a.ses.shots[i] = s
	if i == a.ses.cur {
		n := a.ses.clock.Frame()
		if s.seq.Range.Index(n) < 0 {
			n = relativeFrame(old.seq, n, s.seq)
		}
		a.switchTo(i, n)
	}
	a.log.add(levelInfo, fmt.Sprintf("version %s in place of %s", s.seq, old.seq))
}
