package ui

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/AllenDang/cimgui-go/imgui"

	"flick/engine"
)

// dialogs holds the open, save and export dialogs.
type dialogs struct {
	openShown bool
	openPath  string
	listing   *listing
	// saveShown is the session's save dialog (Ctrl+Shift+S); replacing
	// is the existing file a save waits to be allowed to replace.
	saveShown bool
	savePath  string
	replacing string
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
			switch {
			case strings.HasPrefix(e.Name(), "."):
			case e.IsDir():
				l.entries = append(l.entries, e.Name()+"/")
			case IsSession(e.Name()):
				l.entries = append(l.entries, e.Name())
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

// openSave shows the save dialog, on the session's file or, with none
// yet, a new one in the current shot's folder.
func (d *dialogs) openSave(a *app) {
	d.saveShown, d.replacing = true, ""
	d.savePath = a.sessionPath
	if d.savePath == "" {
		dir, err := filepath.Abs(a.src().seq.Dir)
		if err != nil {
			dir = a.src().seq.Dir
		}
		d.savePath = filepath.Join(dir, "session"+SessionExt)
	}
	d.listing = list(filepath.Dir(d.savePath))
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
	if d.saveShown {
		imgui.OpenPopupStr("Save Session")
	}
	imgui.SetNextWindowSizeV(imgui.NewVec2(640*unit(), 420*unit()), imgui.CondAppearing)
	if imgui.BeginPopupModalV("Save Session", &d.saveShown, 0) {
		d.saveDialog(a)
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
	d.browse(&d.openPath, -90)
	imgui.TextUnformatted("Recent:")
	for _, p := range a.settings.Recent {
		if imgui.SelectableBool(p) {
			d.openPath = p
		}
	}
}

// browse lists the folder being read (sub-folders, sequences, session
// files) in a child of height h (negative: what the window leaves): a
// folder picked is listed and a file picked is put in path.
func (d *dialogs) browse(path *string, h float32) {
	l := d.listing
	if l == nil {
		return
	}
	imgui.TextDisabled(esc(l.dir))
	imgui.BeginChildStrV("entries", imgui.NewVec2(0, h), imgui.ChildFlagsBorders, 0)
	select {
	case <-l.done:
		if l.err != nil {
			imgui.TextUnformatted(l.err.Error())
		}
		if imgui.SelectableBool("../") {
			*path = filepath.Dir(l.dir) + string(filepath.Separator)
			d.listing = list(filepath.Dir(l.dir))
		}
		for _, e := range l.entries {
			if entry(e) {
				*path = filepath.Join(l.dir, e)
				if strings.HasSuffix(e, "/") {
					*path += string(filepath.Separator)
					d.listing = list(*path)
				}
			}
		}
	default:
		imgui.TextUnformatted("reading the folder...")
	}
	imgui.EndChild()
}

// saveDialog: a path field for the session file (SessionExt added when
// missing) and the folder's contents; an existing file is replaced only
// once the user says so.
func (d *dialogs) saveDialog(a *app) {
	if d.replacing != "" {
		imgui.TextUnformatted(esc(d.replacing) + " exists. Replace it?")
		if imgui.Button("Replace") || imgui.IsKeyPressedBoolV(imgui.KeyEnter, false) {
			a.writeSession(d.replacing)
			d.saveShown, d.replacing = false, ""
			imgui.CloseCurrentPopup()
			return
		}
		imgui.SameLine()
		if imgui.Button("Cancel") || imgui.IsKeyPressedBoolV(imgui.KeyEscape, false) {
			d.replacing = ""
		}
		return
	}
	imgui.SetNextItemWidth(-80)
	if imgui.IsWindowAppearing() {
		imgui.SetKeyboardFocusHere()
	}
	enter := imgui.InputTextWithHint("##path", "session"+SessionExt, &d.savePath, imgui.InputTextFlagsEnterReturnsTrue, nil)
	imgui.SameLine()
	if (imgui.Button("Save") || enter) && strings.TrimSpace(d.savePath) != "" {
		p := withSessionExt(strings.TrimSpace(d.savePath))
		if fileExists(p) {
			d.replacing = p
			return
		}
		a.writeSession(p)
		d.saveShown = false
		imgui.CloseCurrentPopup()
		return
	}
	d.browse(&d.savePath, 0)
}

// entry is a selectable row showing name as it is: a label would hide
// what follows a "##" (a pattern's frame digits) as Dear ImGui's ID.
func entry(name string) bool {
	at := imgui.CursorScreenPos()
	clicked := imgui.SelectableBool("##" + name)
	imgui.WindowDrawList().AddTextVec2(at, imgui.ColorU32Col(imgui.ColText), name)
	return clicked
}
