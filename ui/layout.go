package ui

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/AllenDang/cimgui-go/imgui"
)

// panelNames are the panels that can be shown, hidden and docked, with their
// window titles.
var panelNames = []string{"channels", "display", "info", "diagnostics", "log", "settings",
	"statistics", "histogram", "waveform", "cryptomatte", "shots", "compare"}

var panelTitles = map[string]string{
	"channels": "Channels", "display": "Display", "info": "Info",
	"diagnostics": "Diagnostics", "log": "Log", "settings": "Settings",
	"statistics": "Statistics", "histogram": "Histogram", "waveform": "Waveform",
	"cryptomatte": "Cryptomatte", "shots": "Shots",
	"compare": "Compare",
}

// layout draws the window: a menu bar, then a dock space holding the viewer
// (centre), the timeline and transport (bottom) and the panels (right).
// With no saved layout, the dock space is split that way on the first frame.
func (a *app) layout() {
	a.menuBar()
	vp := imgui.MainViewport()
	dock := imgui.DockSpaceOverViewportV(0, vp, imgui.DockNodeFlagsNone, a.dockClass)
	if !a.layoutDone {
		a.layoutDone = true
		imgui.InternalDockBuilderRemoveNode(dock)
		imgui.InternalDockBuilderAddNodeV(dock, imgui.DockNodeFlags(imgui.DockNodeFlagsPassthruCentralNode)|
			imgui.DockNodeFlags(imgui.DockNodeFlagsDockSpace))
		imgui.InternalDockBuilderSetNodeSize(dock, vp.WorkSize())
		var bottom, rest, right, centre imgui.ID
		imgui.InternalDockBuilderSplitNode(dock, imgui.DirDown, 0.16, &bottom, &rest)
		imgui.InternalDockBuilderSplitNode(rest, imgui.DirRight, 0.26, &right, &centre)
		imgui.InternalDockBuilderDockWindow("Viewer", centre)
		imgui.InternalDockBuilderDockWindow("Timeline", bottom)
		// The inspection panels each get a fifth of the column, below the
		// others, so that all three show at once; split off bottom first.
		inspectNodes := map[string]imgui.ID{}
		for i := range inspectPanels {
			var node imgui.ID
			imgui.InternalDockBuilderSplitNode(right, imgui.DirDown, 0.2/(1-0.2*float32(i)), &node, &right)
			inspectNodes[inspectPanels[len(inspectPanels)-1-i]] = node
		}
		for _, p := range panelNames {
			node, ok := inspectNodes[p]
			if !ok {
				node = right
			}
			imgui.InternalDockBuilderDockWindow(panelTitles[p], node)
		}
		imgui.InternalDockBuilderFinish(dock)
	}

	imgui.PushStyleVarVec2(imgui.StyleVarWindowPadding, imgui.NewVec2(0, 0))
	if imgui.BeginV("Viewer", nil, imgui.WindowFlagsNoScrollbar|imgui.WindowFlagsNoScrollWithMouse|
		imgui.WindowFlagsNoCollapse) {
		a.viewport(imgui.ContentRegionAvail())
	}
	imgui.End()
	imgui.PopStyleVar()

	if imgui.BeginV("Timeline", nil, imgui.WindowFlagsNoScrollbar|imgui.WindowFlagsNoCollapse) {
		a.transport()
		a.timeline()
		imgui.TextUnformatted(a.statusLine())
	}
	imgui.End()

	a.panelWindows()
	a.dlg.draw(a)
	a.keysOverlay()
}

func (a *app) menuBar() {
	if !imgui.BeginMainMenuBar() {
		return
	}
	if imgui.BeginMenu("File") {
		if imgui.MenuItemBoolV("Open...", "Ctrl+O", false, true) {
			a.dlg.openOpen(a)
		}
		if imgui.BeginMenu("Open Recent") {
			for _, p := range a.settings.Recent {
				if imgui.MenuItemBoolV(p, "", false, true) {
					a.open(p)
				}
			}
			if len(a.settings.Recent) == 0 {
				imgui.TextDisabled("(none)")
			}
			imgui.EndMenu()
		}
		if imgui.MenuItemBoolV("Save Session", "Ctrl+S", false, true) {
			a.saveSession()
		}
		if imgui.MenuItemBoolV("Save Session As...", "Ctrl+Shift+S", false, true) {
			a.dlg.openSave(a)
		}
		if imgui.MenuItemBoolV("Export...", "Ctrl+E", false, true) {
			a.dlg.export.open = true
		}
		imgui.Separator()
		if imgui.MenuItemBoolV("Quit", "Ctrl+Q", false, true) {
			a.quit = true
		}
		imgui.EndMenu()
	}
	if imgui.BeginMenu("View") {
		for _, p := range panelNames {
			show := a.panels[p]
			if imgui.MenuItemBoolPtr(panelTitles[p], "", &show) {
				a.panels[p] = show
			}
		}
		imgui.Separator()
		if imgui.MenuItemBoolV("Fit", "F", false, true) {
			a.fitted, a.dirty = true, true
		}
		if imgui.MenuItemBoolV("Burn-ins", "Shift+B", a.burnins.Show, true) {
			a.burnins.Show, a.dirty = !a.burnins.Show, true
		}
		if imgui.MenuItemBoolV("Matte mode", "M", a.matte.on, true) {
			a.toggleMatte()
		}
		if imgui.MenuItemBoolV("Full screen", "F11", a.fullscreen, true) {
			a.fullscreen = !a.fullscreen
			if err := a.win.SetFullscreen(a.fullscreen); err != nil {
				a.log.add(levelWarning, err.Error())
				a.fullscreen = false
			}
		}
		if imgui.MenuItemBoolV("Reset layout", "", false, true) {
			a.layoutDone = false
		}
		imgui.EndMenu()
	}
	if imgui.BeginMenu("Help") {
		if imgui.MenuItemBoolV("Keys", "F1", a.showKeys, true) {
			a.showKeys = !a.showKeys
		}
		imgui.EndMenu()
	}
	imgui.EndMainMenuBar()
}

// statusLine says what is on screen and the last message.
func (a *app) statusLine() string {
	name := a.src().selName // "default", or a layer's key: part/name
	if _, layer, ok := strings.Cut(name, "/"); ok {
		name = cmp.Or(layer, "(rgba)")
	}
	text := fmt.Sprintf("%s   %s, %s", name, a.view.Channels, a.colourTitle())
	if t := a.compareTitle(); t != "" {
		text = t + "   " + text
	}
	if a.col.on() {
		text += ", input " + asciiInput(a.col.input)
	}
	if len(a.src().views) > 1 {
		text = "view " + a.src().stereo + "   " + text
	}
	if a.view.Exposure != 0 {
		text += fmt.Sprintf(", exposure %+.1f", a.view.Exposure)
	}
	if a.view.Gamma != 0 && a.view.Gamma != 1 {
		text += fmt.Sprintf(", gamma %.1f", a.view.Gamma)
	}
	zoom := fmt.Sprintf("%.4g%%", 100*a.camera.Scale)
	if a.fitted {
		zoom = "fit " + zoom
	}
	text += "   " + zoom
	if a.view.ShowNaN {
		text += ", NaN/Inf shown"
	}
	if f := a.src().frame; f != nil && f.Err == nil {
		text += levelText(f)
		text += fmt.Sprintf("   read %.1f ms, decode %.1f ms", ms(f.Read), ms(f.Decode))
	}
	if a.probing {
		text += "   " + a.probeText()
	}
	if a.err != nil {
		return text + "   error: " + a.err.Error()
	}
	if e, ok := a.log.last(); ok && e.level > levelInfo {
		text += "   " + e.level.String() + ": " + e.text
	}
	return text
}

// unit is one pixel of the layout at the default 13 px font: sizes drawn by
// hand are multiples of it, so they grow with the font, which grows with
// the display's DPI scale (2 on a typical 4K desktop).
func unit() float32 { return imgui.FontSize() / 13 }

// addText draws text at the current font size (a draw list's own text
// size does not follow the DPI scale).
func addText(dl *imgui.DrawList, pos imgui.Vec2, col uint32, text string) {
	dl.AddTextFontPtr(imgui.CurrentFont(), imgui.FontSize(), pos, col, text)
}
