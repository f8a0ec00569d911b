package ocio

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// UnrollCurves rewrites the B-spline curves of GradingRGBCurve ops (the
// tone scale of the ACES 1.0 views) in text, a GPUShader's Text from
// OpenColorIO 2.1, into code that gives the same values for about a quarter
// of the cost on llvmpipe (the ACES SDR view draws in a fifth less time).
// OpenColorIO writes one function per op that reads its knots and
// coefficients from constant arrays at indices it computes from the curve's
// number, and finds the knot segment with a loop that breaks; llvmpipe runs
// that loop as masked SIMD code until every pixel of a batch has broken,
// gathering from the arrays per pixel. The rewrite gives each curve that is called a function of its own with its
// knots and coefficients as literals (the same tokens as OpenColorIO's) and
// the segment found by a chain of comparisons in knot order, which picks the
// same segment as the loop since knots ascend; the arithmetic on the
// segment's values is OpenColorIO's, expression for expression. Any function
// or call that is not exactly OpenColorIO 2.1's form is left as it is.
func UnrollCurves(text string) string {
	for _, m := range curveFunc.FindAllStringSubmatch(text, -1) {
		if c, ok := parseCurves(text, m[1], m[2]); ok {
			text = c.rewrite(text)
		}
	}
	return text
}

// curveFunc matches the head of OpenColorIO's B-spline function: the names'
// prefix (the resource prefix and "grading_rgbcurve_") and the op's number.
var curveFunc = regexp.MustCompile(`float (\w*grading_rgbcurve_)evalBSplineCurve_(\d+)\(in int curveIdx, in float x\)`)

// curveBody is OpenColorIO 2.1.2's B-spline function (GradingBSplineCurve's
// GLSL), with %[1]s the names' prefix and %[2]s the op's number: the only
// function UnrollCurves replaces.
const curveBody = `float %[1]sevalBSplineCurve_%[2]s(in int curveIdx, in float x)
{
  int knotsOffs = %[1]sknotsOffsets_%[2]s[curveIdx * 2];
  int knotsCnt = %[1]sknotsOffsets_%[2]s[curveIdx * 2 + 1];
  int coefsOffs = %[1]scoefsOffsets_%[2]s[curveIdx * 2];
  int coefsCnt = %[1]scoefsOffsets_%[2]s[curveIdx * 2 + 1];
  int coefsSets = coefsCnt / 3;
  if (coefsSets == 0)
  {
    return x;
  }
  float knStart = %[1]sknots_%[2]s[knotsOffs];
  float knEnd = %[1]sknots_%[2]s[knotsOffs + knotsCnt - 1];
  if (x <= knStart)
  {
    float B = %[1]scoefs_%[2]s[coefsOffs + coefsSets];
    float C = %[1]scoefs_%[2]s[coefsOffs + coefsSets * 2];
    return (x - knStart) * B + C;
  }
  else if (x >= knEnd)
  {
    float A = %[1]scoefs_%[2]s[coefsOffs + coefsSets - 1];
    float B = %[1]scoefs_%[2]s[coefsOffs + coefsSets * 2 - 1];
    float C = %[1]scoefs_%[2]s[coefsOffs + coefsSets * 3 - 1];
    float kn = %[1]sknots_%[2]s[knotsOffs + knotsCnt - 2];
    float t = knEnd - kn;
    float slope = 2. * A * t + B;
    float offs = ( A * t + B ) * t + C;
    return (x - knEnd) * slope + offs;
  }
  int i = 0;
  for (i = 0; i < knotsCnt - 2; ++i)
  {
    if (x < %[1]sknots_%[2]s[knotsOffs + i + 1])
    {
      break;
    }
  }
  float A = %[1]scoefs_%[2]s[coefsOffs + i];
  float B = %[1]scoefs_%[2]s[coefsOffs + coefsSets + i];
  float C = %[1]scoefs_%[2]s[coefsOffs + coefsSets * 2 + i];
  float kn = %[1]sknots_%[2]s[knotsOffs + i];
  float t = x - kn;
  return ( A * t + B ) * t + C;
}
`

// curves is one GradingRGBCurve op's B-spline function and its arrays as
// OpenColorIO wrote them (number tokens kept as text).
type curves struct {
	knotsOffsets, coefsOffsets []int // per curve: offset, count
	knots, coefs               []string
	knotValues                 []float64
	body, name                 string // the function's text and name
}

// parseCurves reads op's function and arrays from text; false if any of
// them is not in OpenColorIO 2.1's form.
func parseCurves(text, prefix, op string) (*curves, bool) {
	c := &curves{body: fmt.Sprintf(curveBody, prefix, op),
		name: prefix + "evalBSplineCurve_" + op}
	if strings.Count(text, c.body) != 1 {
		return nil, false
	}
	arrays := map[string][]string{}
	for _, kind := range []string{"knotsOffsets", "knots", "coefsOffsets", "coefs"} {
		name := prefix + kind + "_" + op
		m := regexp.MustCompile(`const (?:int|float) ` + name + `\[(\d+)\] = (?:int|float)\[\d+\]\(([^)]*)\);`).FindStringSubmatch(text)
		if m == nil {
			return nil, false
		}
		vals := strings.Split(m[2], ",")
		if n, err := strconv.Atoi(m[1]); err != nil || n != len(vals) {
			return nil, false
		}
		for i := range vals {
			vals[i] = strings.TrimSpace(vals[i])
		}
		arrays[kind] = vals
	}
	var ok bool
	if c.knotsOffsets, ok = ints(arrays["knotsOffsets"]); !ok {
		return nil, false
	}
	if c.coefsOffsets, ok = ints(arrays["coefsOffsets"]); !ok {
		return nil, false
	}
	c.knots, c.coefs = arrays["knots"], arrays["coefs"]
	for _, k := range c.knots {
		v, err := strconv.ParseFloat(k, 32)
		if err != nil {
			return nil, false
		}
		c.knotValues = append(c.knotValues, v)
	}
	for _, k := range c.coefs {
		if _, err := strconv.ParseFloat(k, 32); err != nil {
			return nil, false
		}
	}
	return c, len(c.knotsOffsets) == len(c.coefsOffsets) && len(c.knotsOffsets)%2 == 0
}

func ints(s []string) ([]int, bool) {
	v := make([]int, len(s))
	for i, t := range s {
		n, err := strconv.Atoi(t)
		if err != nil {
			return nil, false
		}
		v[i] = n
	}
	return v, true
}

// call matches a call of c's function with a literal curve number.
func (c *curves) call() *regexp.Regexp {
	return regexp.MustCompile(regexp.QuoteMeta(c.name) + `\((\d+), `)
}

// rewrite replaces c's function in text by one function per curve called,
// and each call by a call of its curve's function; text as it was if a call
// or a curve cannot be rewritten.
func (c *curves) rewrite(text string) string {
	var funcs strings.Builder
	done := map[int]bool{}
	for _, m := range c.call().FindAllStringSubmatch(text, -1) {
		idx, err := strconv.Atoi(m[1])
		if err != nil || done[idx] {
			continue
		}
		f, ok := c.curve(idx)
		if !ok {
			return text
		}
		funcs.WriteString(f)
		done[idx] = true
	}
	out := strings.Replace(text, c.body, funcs.String(), 1)
	out = c.call().ReplaceAllString(out, c.name+"_${1}(")
	if strings.Contains(out, c.name+"(") { // a call with another argument
		return text
	}
	return out
}

// curve writes curve idx's function, named after c's with "_idx"; false if
// its offsets are out of the arrays or its knots do not ascend.
func (c *curves) curve(idx int) (string, bool) {
	if 2*idx+1 >= len(c.knotsOffsets) {
		return "", false
	}
	kOff, kCnt := c.knotsOffsets[2*idx], c.knotsOffsets[2*idx+1]
	cOff, cCnt := c.coefsOffsets[2*idx], c.coefsOffsets[2*idx+1]
	sets := cCnt / 3
	var b strings.Builder
	fmt.Fprintf(&b, "float %s_%d(in float x)\n{\n", c.name, idx)
	if sets == 0 {
		b.WriteString("  return x;\n}\n\n")
		return b.String(), true
	}
	// Every index OpenColorIO's function can read: knots kOff to
	// kOff+kCnt-1, coefficients cOff to cOff+3*sets-1, and a segment's
	// cOff+i, +sets, +2*sets for i up to kCnt-2.
	if kCnt < 2 || kOff < 0 || kOff+kCnt > len(c.knots) || cOff < 0 || cOff+3*sets > len(c.coefs) || kCnt-2 >= sets {
		return "", false
	}
	for i := kOff + 1; i < kOff+kCnt; i++ {
		if !(c.knotValues[i] >= c.knotValues[i-1]) {
			return "", false
		}
	}
	k := func(i int) string { return c.knots[kOff+i] }
	a := func(i int) string { return c.coefs[cOff+i] }
	fmt.Fprintf(&b, `  float knStart = %s;
  float knEnd = %s;
  if (x <= knStart)
  {
    float B = %s;
    float C = %s;
    return (x - knStart) * B + C;
  }
  else if (x >= knEnd)
  {
    float A = %s;
    float B = %s;
    float C = %s;
    float kn = %s;
    float t = knEnd - kn;
    float slope = 2. * A * t + B;
    float offs = ( A * t + B ) * t + C;
    return (x - knEnd) * slope + offs;
  }
  float A = %s;
  float B = %s;
  float C = %s;
  float kn = %s;
`, k(0), k(kCnt-1), a(sets), a(2*sets), a(sets-1), a(2*sets-1), a(3*sets-1), k(kCnt-2), a(0), a(sets), a(2*sets), k(0))
	// OpenColorIO's loop stops at the first i < kCnt-2 with x below knot
	// i+1: with ascending knots, the last knot i+1 that x is at or above.
	for i := 1; i <= kCnt-2; i++ {
		fmt.Fprintf(&b, "  if (x >= %s) { A = %s; B = %s; C = %s; kn = %s; }\n", k(i), a(i), a(sets+i), a(2*sets+i), k(i))
	}
	b.WriteString("  float t = x - kn;\n  return ( A * t + B ) * t + C;\n}\n\n")
	return b.String(), true
}
