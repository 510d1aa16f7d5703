package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aam-dev/aam/internal/cli"
	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/posture"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// chromium finds the browser the HTML report is checked in: AAM_CHROMIUM,
// else chromium on PATH. Without one the test skips, unless
// AAM_REQUIRE_CHROMIUM=1 (CI sets it) makes that a failure.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("AAM_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("AAM_REQUIRE_CHROMIUM") == "1" {
		t.Fatal("AAM_REQUIRE_CHROMIUM=1 but no chromium: install it (apt-get install chromium) or set AAM_CHROMIUM to its path")
	}
	t.Skip("no chromium on PATH and AAM_CHROMIUM unset: install chromium to check the HTML report in a browser")
	return ""
}

// TestPostureHTMLInBrowser opens the demo's HTML report in headless
// Chromium and checks what a reader relies on: the page loads nothing from
// anywhere, every finding is on it, the severity filter hides and shows
// rows, and every agent's path picture is drawn. A screenshot of the page
// is kept as an artefact (its path is logged).
func TestPostureHTMLInBrowser(t *testing.T) {
	browser := chromium(t)
	db, _ := demoDB(t)
	page := filepath.Join(t.TempDir(), "posture.html")
	var out, errOut bytes.Buffer
	if code := cli.Run(context.Background(), []string{"posture", "--db", db, "--at", demoPostureAt, "-o", "json"}, &cli.IOStreams{Out: &out, ErrOut: &errOut}); code != 0 {
		t.Fatalf("aam posture -o json exited %d: %s", code, errOut.String())
	}
	var rep struct {
		Findings []posture.Finding `json:"findings"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	bySeverity := map[string]int{}
	var wantFingerprints []string
	for _, f := range rep.Findings {
		wantFingerprints = append(wantFingerprints, f.Fingerprint)
		bySeverity[f.Severity.String()]++
	}
	sort.Strings(wantFingerprints)
	if len(wantFingerprints) == 0 || bySeverity["low"] == 0 || bySeverity["critical"] == 0 {
		t.Fatalf("the demo should have findings of low and critical severity to check the filter with, got %v", bySeverity)
	}
	out.Reset()
	if code := cli.Run(context.Background(), []string{"posture", "--db", db, "--at", demoPostureAt, "-o", "html", "--out", page}, &cli.IOStreams{Out: &out, ErrOut: &errOut}); code != 0 {
		t.Fatalf("aam posture -o html exited %d: %s", code, errOut.String())
	}
	wantAgents := demoAgents(t, db)

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.WindowSize(1300, 1000),
		chromedp.UserDataDir(t.TempDir()))
	if os.Geteuid() == 0 {
		// Chromium refuses to start its sandbox as root (CI containers).
		opts = append(opts, chromedp.NoSandbox)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(ctx)
	defer cancelTab()

	pageURL := "file://" + filepath.ToSlash(page)
	var (
		mu       sync.Mutex
		requests []string
	)
	// Listening starts the browser and the tab before the page loads, so
	// no request of the page escapes it.
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			requests = append(requests, e.Request.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatalf("start chromium %s: %v", browser, err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(pageURL), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatalf("load the report in chromium: %v", err)
	}
	gotFingerprints := evaluate[[]string](ctx, t, `Array.from(document.querySelectorAll('tr.finding')).map(r => r.dataset.fingerprint)`)
	gotAgents := evaluate[[]string](ctx, t, `Array.from(document.querySelectorAll('section.agent')).map(s => s.dataset.agent)`)
	bodyText := evaluate[string](ctx, t, `document.body.innerText`)

	t.Run("no network", func(t *testing.T) {
		mu.Lock()
		defer mu.Unlock()
		sawPage := false
		for _, u := range requests {
			if u == pageURL {
				sawPage = true
				continue
			}
			t.Errorf("the report requested %s: it must load nothing (inline everything)", u)
		}
		if !sawPage {
			t.Errorf("no request for the page itself was seen (%v): the network listener is not working, so the check above proves nothing", requests)
		}
	})

	t.Run("every finding", func(t *testing.T) {
		sort.Strings(gotFingerprints)
		if strings.Join(gotFingerprints, " ") != strings.Join(wantFingerprints, " ") {
			t.Errorf("the page's finding rows are not the report's findings:\npage %d %v\nwant %d %v", len(gotFingerprints), gotFingerprints, len(wantFingerprints), wantFingerprints)
		}
		for _, fp := range wantFingerprints {
			if !strings.Contains(bodyText, fp) {
				t.Errorf("fingerprint %s is not visible on the page", fp)
			}
		}
	})

	t.Run("severity filter", func(t *testing.T) {
		// shown counts the finding rows of a severity a reader can see.
		shown := func(sev string) int {
			return evaluate[int](ctx, t, `Array.from(document.querySelectorAll('tr.finding.sev-`+sev+`')).filter(r => getComputedStyle(r).display !== 'none' && r.getBoundingClientRect().height > 0).length`)
		}
		click := func(sev string) {
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`label[for="show-`+sev+`"]`))); err != nil {
				t.Fatal(err)
			}
		}
		if got := shown("low"); got != bySeverity["low"] {
			t.Fatalf("before filtering %d low rows are shown, want all %d", got, bySeverity["low"])
		}
		click("low")
		if got := shown("low"); got != 0 {
			t.Errorf("after unticking low, %d low rows are still shown", got)
		}
		if got := shown("critical"); got != bySeverity["critical"] {
			t.Errorf("unticking low hid critical rows: %d shown, want %d", got, bySeverity["critical"])
		}
		click("low")
		if got := shown("low"); got != bySeverity["low"] {
			t.Errorf("after ticking low again %d low rows are shown, want %d", got, bySeverity["low"])
		}
	})

	t.Run("agent pictures", func(t *testing.T) {
		sort.Strings(gotAgents)
		if strings.Join(gotAgents, " ") != strings.Join(wantAgents, " ") {
			t.Errorf("the page's agent sections are not the demo's agents:\npage %v\nwant %v", gotAgents, wantAgents)
		}
		js := `Array.from(document.querySelectorAll('section.agent')).map(s => { const svg = s.querySelector('svg.paths'); const r = svg ? svg.getBoundingClientRect() : {width: 0, height: 0}; return {agent: s.dataset.agent, w: r.width, h: r.height, nodes: svg ? svg.querySelectorAll('rect').length : 0}; })`
		for _, b := range evaluate[[]struct {
			Agent string  `json:"agent"`
			W     float64 `json:"w"`
			H     float64 `json:"h"`
			Nodes int     `json:"nodes"`
		}](ctx, t, js) {
			if b.W <= 0 || b.H <= 0 {
				t.Errorf("agent %s: its path picture has an empty bounding box (%vx%v)", b.Agent, b.W, b.H)
			}
			if b.Nodes < 2 {
				t.Errorf("agent %s: its picture has %d box(es): every demo agent reaches at least its identity", b.Agent, b.Nodes)
			}
		}
	})

	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	artefact := filepath.Join(os.TempDir(), "aam-html-report.png")
	if err := os.WriteFile(artefact, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of the demo's HTML report: %s", artefact)
}

// evaluate runs js in the page and decodes its value.
func evaluate[T any](ctx context.Context, t *testing.T, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// demoAgents are the current agents of the demo inventory, sorted.
func demoAgents(t *testing.T, db string) []string {
	t.Helper()
	store, err := inventory.OpenReadOnly(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	nodes, err := store.Nodes(context.Background(), inventory.NodeFilter{Kind: inventory.KindAgent})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, n := range nodes {
		ids = append(ids, n.ID)
	}
	sort.Strings(ids)
	if len(ids) == 0 {
		t.Fatal("the demo has no agents")
	}
	return ids
}
