package ui

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/AllenDang/cimgui-go/imgui"

	"flick/engine"
)

// dialogs holds the open and export dialogs.
type dialogs struct {
	openShown bool
	openPath  string
	listing   *listing
	export    exportDialog
}

// listing is a folder read in the background (a network drive may stall;
// the UI must not).
type listing struct {
	dir     string
	done    chan struct{}
	entries []string // sub-folders (with a trailing /) and sequences
	err     error
}

func list(dir string) *listing {
	l := &listing{dir: dir, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		ents, err := os.ReadDir(dir)
		if err != nil {
			l.err = err
			return
		}
		for _, e := range ents {
			if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
				l.entries = append(l.entries, e.Name()+"/")
			}
		}
		if seqs, err := engine.FindAll(dir); err == nil {
			for _, s := range seqs {
				l.entries = append(l.entries, s.Pattern())
			}
		}
		sort.Strings(l.entries)
	}()
	return l
}

func (d *dialogs) openOpen(a *app) {
	d.openShown = true
	if d.openPath == "" {
		d.openPath = a.src().seq.Dir + string(filepath.Separator)
	}
	d.listing = list(filepath.Dir(d.openPath + "x"))
}

func (d *dialogs) draw(a *app) {
	if d.openShown {
		imgui.OpenPopupStr("Open")
	}
	imgui.SetNextWindowSizeV(imgui.NewVec2(640*unit(), 420*unit()), imgui.CondAppearing)
	if imgui.BeginPopupModalV("Open", &d.openShown, 0) {
		d.openDialog(a)
		imgui.EndPopup()
	}
	d.export.draw(a)
}

// openDialog: a path field (file, pattern or folder), the folder's
// sub-folders and sequences, and recent items.
func (d *dialogs) openDialog(a *app) {
	imgui.SetNextItemWidth(-80)
	if imgui.IsWindowAppearing() {
		imgui.SetKeyboardFocusHere()
	}
	enter := imgui.InputTextWithHint("##path", "file, shot.####.exr or folder", &d.openPath,
		imgui.InputTextFlagsEnterReturnsTrue, nil)
	imgui.SameLine()
	if imgui.Button("Open") || enter {
		a.open(strings.TrimSpace(d.openPath))
		d.openShown = false
		imgui.CloseCurrentPopup()
		return
	}
	if l := d.listing; l != nil {
		imgui.TextDisabled(esc(l.dir))
		imgui.BeginChildStrV("entries", imgui.NewVec2(0, -90), imgui.ChildFlagsBorders, 0)
		select {
		case <-l.done:
			if l.err != nil {
				imgui.TextUnformatted(l.err.Error())
			}
			if imgui.SelectableBool("../") {
				d.openPath = filepath.Dir(l.dir) + string(filepath.Separator)
				d.listing = list(filepath.Dir(l.dir))
			}
			for _, e := range l.entries {
				if imgui.SelectableBool(e) {
					d.openPath = filepath.Join(l.dir, e)
					if strings.HasSuffix(e, "/") {
						d.openPath += string(filepath.Separator)
						d.listing = list(d.openPath)
					}
				}
			}
		default:
			imgui.TextUnformatted("reading the folder...")
		}
		imgui.EndChild()
	}
	imgui.TextUnformatted("Recent:")
	for _, p := range a.settings.Recent {
		if imgui.SelectableBool(p) {
			d.openPath = p
		}
	}
}
