package report_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/aam-dev/aam/report"
)

// TestHTMLLoadsNothing checks the HTML report for anything a browser would
// fetch: the file must work offline and tell no one it was opened. The
// browser test (internal/cli) checks the same on the demo by watching the
// network; this one runs without a browser.
func TestHTMLLoadsNothing(t *testing.T) {
	fx := newFixture(t, "")
	var buf bytes.Buffer
	if err := (report.HTML{}).Render(&buf, fx.rep); err != nil {
		t.Fatal(err)
	}
	page := strings.ToLower(buf.String())
	for _, bad := range []string{"src=", "href=", "url(", "@import", "<script", "<link", "<iframe", "<object", "<embed"} {
		if strings.Contains(page, bad) {
			t.Errorf("the HTML report contains %q: it must load nothing", bad)
		}
	}
	for _, f := range fx.rep.Triage.Active {
		if !strings.Contains(page, `data-fingerprint="`+f.Fingerprint+`"`) {
			t.Errorf("finding %s (%s on %s) has no row", f.Fingerprint, f.ControlID, f.SubjectID)
		}
	}
	for _, s := range fx.rep.Triage.Suppressed {
		if strings.Contains(page, `data-fingerprint="`+s.Finding.Fingerprint+`"`) {
			t.Errorf("suppressed finding %s has a row among the findings", s.Finding.Fingerprint)
		}
	}
	if !strings.Contains(page, "3 more it reaches are left out") {
		t.Error("the picture does not say that nodes past the cap were left out")
	}
}
