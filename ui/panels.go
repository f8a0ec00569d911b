package ui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/AllenDang/cimgui-go/imgui"
	"github.com/dustin/go-humanize"

	"flick/engine"
	"flick/engine/exr"
	"flick/export"
	"flick/render"
	"flick/settings"
)

// panelWindows draws the panels that are shown; closing one hides it.
func (a *app) panelWindows() {
	for _, p := range panelNames {
		if !a.panels[p] {
			continue
		}
		open := true
		// A panel the saved layout does not know (one added since it was
		// saved) joins the Display panel's dock node (the right column of
		// the default layout) as a tab, off the picture; where that panel
		// floats, it floats at a usable size, cascaded so that panels
		// opened together do not cover each other.
		if d := imgui.InternalFindWindowByName(panelTitles["display"]); p != "display" && d != nil && d.CData != nil && d.DockId() != 0 {
			imgui.SetNextWindowDockIDV(d.DockId(), imgui.CondFirstUseEver)
		} else {
			i := float32(slices.Index(panelNames, p))
			imgui.SetNextWindowPosV(imgui.NewVec2(80+24*i, 80+24*i), imgui.CondFirstUseEver, imgui.NewVec2(0, 0))
			imgui.SetNextWindowSizeV(imgui.NewVec2(460, 300), imgui.CondFirstUseEver)
		}
		if imgui.BeginV(panelTitles[p], &open, 0) {
			switch p {
			case "channels":
				a.channelsPanel()
			case "display":
				a.displayPanel()
			case "info":
				a.infoPanel()
			case "diagnostics":
				a.diag.panel(a)
			case "log":
				a.logPanel()
			case "settings":
				a.settingsPanel()
			case "statistics":
				a.statisticsPanel()
			case "histogram":
				a.histogramPanel()
			case "waveform":
				a.waveformPanel()
			case "cryptomatte":
				a.mattePanel()
			case "shots":
				a.shotsPanel()
			case "compare":
				a.comparePanel()
			}
		}
		imgui.End()
		a.panels[p] = open
	}
}

// channelsPanel lists parts, views, layers and channels from the header;
// choosing one switches what the loader decodes (cached frames of that
// selection show at once).
func (a *app) channelsPanel() {
	a.viewPicker()
	if imgui.SelectableBoolV("default (RGBA, or the first layer)", a.src().selName == "default", 0, imgui.NewVec2(0, 0)) {
		a.src().stereo, a.src().layer = defaultView(a.src().views), ""
		a.setChannels(exr.Selection{}, "default")
	}
	for _, p := range a.src().parts {
		label := fmt.Sprintf("part %d", p.Index)
		if p.Name != "" {
			label += " " + p.Name
		}
		if p.View != "" {
			label += " (view " + p.View + ")"
		}
		if len(p.Views) > 0 {
			label += " (views " + strings.Join(p.Views, ", ") + ")"
		}
		if !imgui.TreeNodeExStrV(label, imgui.TreeNodeFlagsDefaultOpen) {
			continue
		}
		for _, l := range p.Layers {
			name := l.Name
			if name == "" {
				name = "(rgba)"
			}
			if l.View != "" {
				name += " [" + l.View + "]"
			}
			key := layerKey(p.Index, l.Name)
			if imgui.SelectableBoolV(name+"  "+strings.Join(l.Channels, " ")+"##"+key, a.src().selName == key, 0, imgui.NewVec2(0, 0)) {
				if sel, err := exr.LayerSelection(p, l.Name); err != nil {
					a.log.add(levelWarning, err.Error())
				} else {
					a.chooseLayer(l, sel, key)
				}
			}
			if len(l.Channels) > 1 {
				imgui.Indent()
				for _, c := range l.Channels {
					full := c
					if l.Name != "" {
						full = l.Name + "." + c
					}
					ckey := layerKey(p.Index, full)
					if imgui.SelectableBoolV(c+" (grey)##"+ckey, a.src().selName == ckey, 0, imgui.NewVec2(0, 0)) {
						if sel, err := exr.ChannelSelection(p, full); err != nil {
							a.log.add(levelWarning, err.Error())
						} else {
							a.chooseLayer(l, sel, ckey)
						}
					}
				}
				imgui.Unindent()
			}
		}
		imgui.TreePop()
	}
}

func (a *app) displayPanel() {
	a.colourMenus()
	imgui.Separator()
	v := a.view
	imgui.SliderFloatV("exposure", &v.Exposure, -10, 10, "%+.2f stops", 0)
	gamma := v.Gamma
	if gamma == 0 {
		gamma = 1
	}
	if imgui.SliderFloatV("gamma", &gamma, 0.1, 4, "%.2f", 0) {
		v.Gamma = gamma
	}
	// flick's own transforms serve only without an OpenColorIO config.
	imgui.BeginDisabledV(v.OCIO != nil)
	if imgui.BeginComboV("transform", v.Transform.String(), 0) {
		for _, t := range render.ScreenTransforms() {
			if imgui.SelectableBoolV(t.String(), t == v.Transform, 0, imgui.NewVec2(0, 0)) {
				v.Transform = t
			}
		}
		imgui.EndCombo()
	}
	imgui.EndDisabled()
	if imgui.BeginComboV("channels", v.Channels.String(), 0) {
		for c := render.ChannelsRGB; c <= render.ChannelLuminance; c++ {
			if imgui.SelectableBoolV(c.String(), c == v.Channels, 0, imgui.NewVec2(0, 0)) {
				v.Channels = c
			}
		}
		imgui.EndCombo()
	}
	imgui.Checkbox("alpha over a checkerboard", &v.Checker)
	imgui.Checkbox("show NaN (magenta) and ±Inf (red/blue)", &v.ShowNaN)
	imgui.Checkbox("nearest filtering at every zoom", &v.Nearest)
	if imgui.Button("reset (0)") {
		v.Exposure, v.Gamma = 0, 0
	}
	if v != a.view {
		a.view, a.dirty = v, true
	}
}

func (a *app) infoPanel() {
	s := a.src().seq
	imgui.TextUnformatted(fmt.Sprintf("%s\n%s\nrange %s, %d frames present", s.Dir, s, s.Range, len(s.Frames)))
	if m := s.Missing(); len(m) > 0 {
		imgui.TextColored(imgui.NewVec4(1, 0.6, 0.3, 1), esc(fmt.Sprintf("%d missing: %s", len(m), engine.FrameList(m))))
	}
	if f := a.src().frame; f != nil && f.Err == nil {
		d, dw := f.DisplayWindow, fullData(f)
		imgui.TextUnformatted(fmt.Sprintf("display %dx%d, data %dx%d at %d,%d\n%s, %d channels, %s per frame (RGBA half%s)",
			d.Dx(), d.Dy(), dw.Dx(), dw.Dy(), dw.Min.X, dw.Min.Y, f.Header.Compression, len(f.Header.Channels),
			humanize.IBytes(uint64(8*f.DataWindow.Dx()*f.DataWindow.Dy())), levelText(f)))
	}
	for _, p := range a.src().parts {
		if !imgui.CollapsingHeaderTreeNodeFlagsV(fmt.Sprintf("part %d %s attributes", p.Index, p.Name), 0) {
			continue
		}
		for _, at := range p.Attributes {
			imgui.TextUnformatted(fmt.Sprintf("%s (%s): %s", at.Name, at.Type, at.Text))
		}
	}
}

func (a *app) logPanel() {
	if imgui.Button("copy") {
		imgui.SetClipboardText(a.log.text())
	}
	imgui.BeginChildStrV("log", imgui.NewVec2(0, 0), 0, 0)
	for _, e := range a.log.entries {
		col := imgui.NewVec4(0.8, 0.8, 0.8, 1)
		switch e.level {
		case levelWarning:
			col = imgui.NewVec4(1, 0.75, 0.3, 1)
		case levelError:
			col = imgui.NewVec4(1, 0.4, 0.4, 1)
		}
		imgui.TextColored(col, esc(e.at.Format("15:04:05")+" "+e.text))
	}
	imgui.EndChild()
}

func (a *app) settingsPanel() {
	s := &a.settings
	if a.settingsBroken {
		imgui.TextColored(imgui.NewVec4(1, 0.6, 0.3, 1),
			"The settings file could not be read; flick runs on defaults\nand will not save over it.")
		if imgui.Button("Replace it with these settings") {
			a.settingsBroken = false
			a.saveSettings()
			a.log.add(levelInfo, "settings saved to "+a.opt.SettingsPath)
		}
		imgui.Separator()
	}
	imgui.TextUnformatted("Applied to sequences opened from now on:")
	gib := float32(s.CacheBytes) / (1 << 30)
	if imgui.InputFloatV("cache budget (GiB, 0 auto)", &gib, 1, 4, "%.1f", 0) && gib >= 0 {
		s.CacheBytes = int64(gib * (1 << 30))
	}
	share := float32(s.AheadShare)
	if imgui.SliderFloatV("share ahead of the playhead", &share, 0.5, 1, "%.2f", 0) {
		s.AheadShare = float64(share)
	}
	workers := int32(s.Workers)
	if imgui.InputIntV("decode workers (0: one per CPU)", &workers, 1, 1, 0) && workers >= 0 && workers <= 256 {
		s.Workers = int(workers)
	}
	if imgui.BeginComboV("default display", s.Transform, 0) {
		for _, t := range render.ScreenTransformNames() {
			if imgui.SelectableBoolV(t, t == s.Transform, 0, imgui.NewVec2(0, 0)) {
				s.Transform = t
			}
		}
		imgui.EndCombo()
	}
	fps := float32(s.FPS)
	if imgui.InputFloatV("fps when the file has none", &fps, 1, 5, "%.3g", 0) && fps >= 1 && fps <= 1000 {
		s.FPS = float64(fps)
	}
	imgui.Separator()
	imgui.TextUnformatted("Export defaults")
	codec := s.Export.Codec
	if imgui.BeginComboV("codec", codec, 0) {
		for _, c := range export.CodecNames() {
			if imgui.SelectableBoolV(c, c == codec, 0, imgui.NewVec2(0, 0)) {
				s.Export.Codec = c
			}
		}
		imgui.EndCombo()
	}
	crf := int32(s.Export.CRF)
	if imgui.InputIntV("crf", &crf, 1, 5, 0) && crf >= 0 && crf <= 51 {
		s.Export.CRF = int(crf)
	}
	scale := float32(s.Export.Scale)
	if imgui.SliderFloatV("scale", &scale, 0.1, 1, "%.2f", 0) {
		s.Export.Scale = float64(scale)
	}
	imgui.Separator()
	if !a.settingsBroken && imgui.Button("Save now") {
		a.saveSettings()
		a.log.add(levelInfo, "settings saved to "+a.opt.SettingsPath)
	}
	imgui.SameLine()
	if imgui.Button("Defaults") {
		recent, configs, picks := s.Recent, s.OCIORecent, s.InputPicks
		*s = settings.Defaults()
		s.Recent, s.OCIORecent, s.InputPicks = recent, configs, picks
	}
	imgui.TextDisabled(esc(a.opt.SettingsPath))
}
