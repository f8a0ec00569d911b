package ui

import (
	"fmt"
	"slices"

	"github.com/AllenDang/cimgui-go/imgui"

	"flick/engine/exr"
)

// fileViews lists a file's views (stereo left and right, or more), the
// default one first: a single-part file's multiView attribute, else the
// views of a multi-part file's parts in part order. Nil for a file without
// views.
func fileViews(parts []exr.Part) []string {
	var views []string
	for _, p := range parts {
		for _, v := range append([]string{p.View}, p.Views...) {
			if v != "" && !slices.Contains(views, v) {
				views = append(views, v)
			}
		}
	}
	return views
}

// defaultView is the view a file's default channels show: the first.
func defaultView(views []string) string {
	if len(views) == 0 {
		return ""
	}
	return views[0]
}

// layerKey is the Channels panel's key for layer name of part index.
func layerKey(part int, name string) string { return fmt.Sprintf("%d/%s", part, name) }

// chooseLayer shows a layer and remembers its view and its name without
// the view, so that switching views keeps the layer.
func (a *app) chooseLayer(l exr.Layer, sel exr.Selection, key string) {
	a.src().layer = l.BaseName()
	if l.View != "" {
		a.src().stereo = l.View
	}
	a.setChannels(sel, key)
}

// setView shows the current layer of view v (instant for frames cached
// with that view's channels; the others are decoded).
func (a *app) setView(v string) {
	sel, err := exr.FindLayer(a.src().parts, v, a.src().layer)
	if err != nil {
		a.log.add(levelWarning, fmt.Sprintf("view %s: %v", v, err))
		return
	}
	a.src().stereo = v
	a.setChannels(sel, layerKeyOf(a.src().parts, sel))
}

// nextView switches to the view after the current one (the v key).
func (a *app) nextView() {
	if len(a.src().views) < 2 {
		return
	}
	i := slices.Index(a.src().views, a.src().stereo)
	a.setView(a.src().views[(i+1)%len(a.src().views)])
}

// viewPicker is the Channels panel's header: a combo of the file's views.
func (a *app) viewPicker() {
	if len(a.src().views) < 2 {
		return
	}
	imgui.SetNextItemWidth(160)
	if imgui.BeginComboV("view (v)", a.src().stereo, 0) {
		for _, v := range a.src().views {
			if imgui.SelectableBoolV(v, v == a.src().stereo, 0, imgui.NewVec2(0, 0)) && v != a.src().stereo {
				a.setView(v)
			}
		}
		imgui.EndCombo()
	}
	imgui.Separator()
}
