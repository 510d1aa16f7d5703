package kit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func TestFaultsThrottleEveryNthButNotItsRetry(t *testing.T) {
	f := NewFaults()
	if f.Throttle("t", []byte("a")) {
		t.Fatal("throttled with throttling off")
	}
	f.SetThrottleEvery(3)
	var got []bool
	for _, req := range []string{"a", "b", "c", "c", "d", "e"} {
		got = append(got, f.Throttle("t", []byte(req)))
	}
	// The third call is throttled; its retry ("c" again) passes; the count
	// goes on, so the sixth is throttled.
	want := []bool{false, false, true, false, false, true}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("throttled %v, want %v", got, want)
		}
	}
	// The same request of another tenant is another request.
	f.SetThrottleEvery(1)
	if !f.Throttle("t1", []byte("x")) || !f.Throttle("t2", []byte("x")) || f.Throttle("t1", []byte("x")) {
		t.Error("a retry is told apart by tenant and request")
	}
}

func TestFaultsDenySwitches(t *testing.T) {
	f := NewFaults()
	f.SetTenantDenied("111111111111", true)
	f.SetOpDenied("lambda:GetFunctionConfiguration", true)
	if !f.TenantDenied("111111111111") || f.TenantDenied("222222222222") {
		t.Error("tenant denial is per tenant")
	}
	if !f.OpDenied("lambda:GetFunctionConfiguration") || f.OpDenied("lambda:ListFunctions") {
		t.Error("operation denial is per operation")
	}
	f.SetTenantDenied("111111111111", false)
	f.SetOpDenied("lambda:GetFunctionConfiguration", false)
	if f.TenantDenied("111111111111") || f.OpDenied("lambda:GetFunctionConfiguration") {
		t.Error("denials are lifted by their switch")
	}
}

func TestFaultsWait(t *testing.T) {
	f := NewFaults()
	f.SetLatency(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if f.Wait(ctx) {
		t.Error("Wait outlived its context")
	}
	f.SetLatency(time.Millisecond)
	if !f.Wait(context.Background()) {
		t.Error("a short latency did not pass")
	}
}

func TestCounters(t *testing.T) {
	c := NewCounters()
	c.Count("aws", "lambda:GetFunctionConfiguration")
	c.Count("aws", "lambda:GetFunctionConfiguration")
	c.Count("aws", "iam:GetAccountAuthorizationDetails")
	c.Record(Throttled)
	c.Record(Denied)
	c.Record(Rejected)
	c.Record(Answered)
	c.Enter("aws")
	c.Enter("aws")
	c.Leave("aws")
	c.Enter("azure")
	st := c.Stats()
	if st.Calls["aws/lambda:GetFunctionConfiguration"] != 2 || st.Total() != 3 {
		t.Errorf("calls %v, want aws/lambda:GetFunctionConfiguration 2 of 3", st.Calls)
	}
	if st.Throttled != 1 || st.Denied != 1 || st.Rejected != 1 || st.InFlight != 2 || st.MaxInFlight != 2 {
		t.Errorf("stats %+v", st)
	}
	if st.InFlightBy["aws"] != 1 || st.MaxInFlightBy["aws"] != 2 || st.InFlightBy["azure"] != 1 || st.MaxInFlightBy["azure"] != 1 {
		t.Errorf("in flight by provider %v, most %v", st.InFlightBy, st.MaxInFlightBy)
	}
	st.Calls["x"] = 9
	if c.Stats().Calls["x"] != 0 {
		t.Error("Stats shares its map with the counters")
	}
	c.Reset()
	if st := c.Stats(); st.Total() != 0 || st.InFlight != 2 || st.MaxInFlight != 2 || st.MaxInFlightBy["aws"] != 1 {
		t.Errorf("after Reset: %+v, want no calls and the ones in flight", st)
	}
}

func TestPaging(t *testing.T) {
	l := List{Op: "iam:ListRoles", Tenant: "111111111111", Narrow: "/"}
	pg := PageFrom(l, 0, 2, 5)
	if pg.Start != 0 || pg.End != 2 || !pg.Truncated || pg.Next == "" {
		t.Fatalf("first page %+v", pg)
	}
	off, ok := l.Offset(pg.Next, 5)
	if !ok || off != 2 {
		t.Fatalf("token decodes to %d, %v; want 2", off, ok)
	}
	last := PageFrom(l, 4, 2, 5)
	if last.End != 5 || last.Truncated || last.Next != "" {
		t.Errorf("last page %+v", last)
	}
	other := List{Op: "iam:ListUsers", Tenant: "111111111111", Narrow: "/"}
	if _, ok := other.Offset(pg.Next, 5); ok {
		t.Error("a token is good for another list")
	}
	if _, ok := l.Offset(pg.Next, 2); ok {
		t.Error("a token past the end of the list is good")
	}
	if _, ok := l.Offset("not base64!", 5); ok {
		t.Error("garbage is a good token")
	}
	for _, tc := range []struct{ start, end, base, n, from, to int }{
		{0, 3, 0, 2, 0, 2}, {0, 3, 2, 4, 0, 1}, {3, 6, 0, 2, 0, 0}, {3, 6, 2, 4, 1, 4},
	} {
		if from, to := Span(tc.start, tc.end, tc.base, tc.n); from != tc.from || to != tc.to {
			t.Errorf("Span(%d,%d,%d,%d) = %d,%d; want %d,%d", tc.start, tc.end, tc.base, tc.n, from, to, tc.from, tc.to)
		}
	}
}

func TestDecodeStrict(t *testing.T) {
	type inner struct {
		Name    string    `yaml:"name"`
		Created time.Time `yaml:"created"`
		Count   int       `yaml:"count"`
	}
	var v struct {
		Items []inner `yaml:"items"`
	}
	for _, tc := range []struct {
		name, yaml string
		want       []string
	}{
		{"unknown field", "items:\n  - name: a\n    colour: blue\n", []string{"line 3", "field colour not found"}},
		{"bad date, value hidden", "items:\n  - name: a\n    created: CANARY-secret\n", []string{"line 3", "date is not valid"}},
		{"type error, value hidden", "items:\n  - count: CANARY-secret\n", []string{"(value hidden)"}},
		{"two documents", "items: []\n---\nitems: []\n", []string{"more than one YAML document"}},
	} {
		err := DecodeStrict([]byte(tc.yaml), &v)
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q lacks %q", tc.name, err, w)
			}
		}
		if strings.Contains(err.Error(), "CANARY") {
			t.Errorf("%s: error quotes the value: %q", tc.name, err)
		}
	}
	if err := DecodeStrict([]byte("# only a comment\n"), &v); !errors.Is(err, io.EOF) {
		t.Errorf("empty document: %v, want io.EOF", err)
	}
	keys, err := TopKeys([]byte("version: 2\naws:\n  accounts: []\n"))
	if err != nil || len(keys) != 2 || keys[0] != (Key{"version", 1, "2"}) || keys[1] != (Key{"aws", 2, ""}) {
		t.Errorf("TopKeys = %v, %v", keys, err)
	}
	if _, err := TopKeys([]byte("a: 1\nb: [CANARY-open\n")); err == nil || strings.Contains(err.Error(), "CANARY") {
		t.Errorf("broken YAML: %v, want an error that quotes nothing", err)
	}
	if _, err := TopKeys([]byte("a: 1\na: 2\n")); err == nil || !strings.Contains(err.Error(), "line 2: a is given twice") {
		t.Errorf("a key given twice: %v", err)
	}
}

func TestListen(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") })
	for _, addr := range []string{"192.0.2.1:0", "example.com:80", "no-port"} {
		if l, err := Listen(addr, h, nil); err == nil {
			l.Close()
			t.Errorf("Listen(%q) served, want it refused", addr)
		}
	}
	l, err := Listen("", h, nil)
	if err != nil {
		t.Fatal(err)
	}
	url := l.URL()
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("URL %q", url)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "ok" {
		t.Errorf("served %q", body)
	}
	if err := l.Close(); err != nil {
		t.Error(err)
	}
	if err := l.Close(); err != nil || l.URL() != "" {
		t.Errorf("second Close: %v, URL %q", err, l.URL())
	}
	if _, err := http.Get(url); err == nil {
		t.Error("served after Close")
	}
}

func TestDeepCopy(t *testing.T) {
	type leaf struct {
		When time.Time
		Tags map[string]string
	}
	type tree struct {
		Name   string
		Leaves []leaf
		Env    map[string]string
		Next   *tree
		Any    any
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	orig := tree{Name: "a", Leaves: []leaf{{When: now, Tags: map[string]string{"k": "v"}}}, Env: map[string]string{"X": "1"},
		Next: &tree{Name: "b", Env: map[string]string{"Y": "2"}}, Any: []string{"s"}}
	c := DeepCopy(orig)
	if !reflect.DeepEqual(orig, c) {
		t.Fatalf("copy %+v differs from %+v", c, orig)
	}
	c.Leaves[0].Tags["k"] = "changed"
	c.Env["X"] = "changed"
	c.Next.Env["Y"] = "changed"
	c.Leaves[0].When = now.Add(time.Hour)
	c.Any.([]string)[0] = "changed"
	if orig.Leaves[0].Tags["k"] != "v" || orig.Env["X"] != "1" || orig.Next.Env["Y"] != "2" || !orig.Leaves[0].When.Equal(now) || orig.Any.([]string)[0] != "s" {
		t.Errorf("changing the copy changed the original: %+v", orig)
	}
	var nilTree *tree
	if DeepCopy(nilTree) != nil {
		t.Error("a nil pointer copied to non-nil")
	}
	if c := DeepCopy(tree{}); c.Env != nil || c.Leaves != nil {
		t.Errorf("nil maps and slices copied to non-nil: %+v", c)
	}
}

func TestSecretNeverPrints(t *testing.T) {
	type holder struct {
		Name string
		Key  Secret `yaml:"key" json:"key"`
	}
	h := holder{Name: "p", Key: "CANARY-aam-value"}
	for _, out := range []string{
		fmt.Sprintf("%v %+v %#v %s %q %x", h, h, h, h.Key, h.Key, h.Key),
		fmt.Sprint(h.Key), fmt.Sprintf("%v", []Secret{h.Key}),
	} {
		if strings.Contains(out, "CANARY") || strings.Contains(out, "43414e415259") {
			t.Errorf("printed: %s", out)
		}
	}
	j, err := json.Marshal(h)
	if err != nil || strings.Contains(string(j), "CANARY") {
		t.Errorf("JSON %s, %v", j, err)
	}
	y, err := yaml.Marshal(h)
	if err != nil || !strings.Contains(string(y), "key: CANARY-aam-value") {
		t.Errorf("an estate file loses its canary: %s, %v", y, err)
	}
	var back holder
	if err := DecodeStrict(y, &back); err != nil || back.Key.Reveal() != "CANARY-aam-value" {
		t.Errorf("read back %v: %v", back.Key.Reveal(), err)
	}
	if Secret("").String() != "" {
		t.Error("no secret prints as one")
	}
}

func TestRouter(t *testing.T) {
	var r Router[string]
	r.Handle("GET", "GetAgent", "/agents/{agentId}/")
	r.Handle("POST", "ListAgents", "/agents/")
	r.Handle("GET", "GetFunction", "/2015-03-31/functions/{name}/configuration", "/functions/{name}")
	for _, tc := range []struct {
		method, path, want string
		vars               map[string]string
		status             int
	}{
		{"GET", "/agents/KZ4/", "GetAgent", map[string]string{"agentId": "KZ4"}, 200},
		{"POST", "/agents/", "ListAgents", map[string]string{}, 200},
		{"GET", "/agents/", "ListAgents", nil, 405},
		{"GET", "/agents//", "", nil, 404},
		{"GET", "/agents/KZ4", "", nil, 404},
		{"GET", "/2015-03-31/functions/my%3Afn/configuration", "GetFunction", map[string]string{"name": "my:fn"}, 200},
		{"GET", "/functions/f", "GetFunction", map[string]string{"name": "f"}, 200},
		{"GET", "/agents/%zz/", "", nil, 404},
		{"GET", "/subscriptions/0000", "", nil, 404},
	} {
		got, vars, status := r.Match(tc.method, tc.path)
		if got != tc.want || status != tc.status || (tc.status == 200 && !reflect.DeepEqual(vars, tc.vars)) {
			t.Errorf("%s %s = %q %v %d, want %q %v %d", tc.method, tc.path, got, vars, status, tc.want, tc.vars, tc.status)
		}
	}
}
