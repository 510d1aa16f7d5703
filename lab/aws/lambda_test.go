package aws

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

type wireFunction struct {
	FunctionName string
	FunctionArn  string
	Runtime      string
	Role         string
	Handler      string
	LastModified string
	State        string
	PackageType  string
	Version      string
	Environment  *struct {
		Variables map[string]string
	}
}

func TestLambdaGetFunctionConfiguration(t *testing.T) {
	e := mustDemo(t)
	prod, east := prodRegion(t, e, "us-east-1")
	srv := NewServer(e, Options{})
	c := newRESTClient(t, srv, prod, "us-east-1")
	fn, _ := east.Lambda("support-ticket-tools")
	arn := LambdaARN("us-east-1", prod.ID, fn.Name)

	// By name, by ARN (escaped as the SDK escapes a path label: every
	// character outside the unreserved set) and with $LATEST.
	for _, ref := range []string{
		fn.Name + "/configuration",
		percentEncode(arn, false) + "/configuration",
		percentEncode(arn+":$LATEST", false) + "/configuration",
		url.PathEscape(arn) + "/configuration",
		fn.Name + "/configuration?Qualifier=%24LATEST",
	} {
		var out wireFunction
		c.call("lambda", http.MethodGet, "/2015-03-31/functions/"+ref, "", &out)
		if out.FunctionName != fn.Name || out.FunctionArn != arn || out.Role != prod.RoleARN("agent-tools-lambda") || out.Runtime != "python3.12" ||
			out.Handler != "lambda_function.lambda_handler" || out.State != "Active" || out.PackageType != "Zip" || out.Version != "$LATEST" {
			t.Errorf("%s: %+v", ref, out)
		}
		if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$`).MatchString(out.LastModified) || out.LastModified != "2025-03-10T10:45:00.000+0000" {
			t.Errorf("LastModified %q, want Lambda's format 2025-03-10T10:45:00.000+0000", out.LastModified)
		}
		// Lambda answers the environment, secrets included: that is why a
		// scanner must keep only the names (and access key ids).
		if out.Environment == nil || out.Environment.Variables["DEPLOYER_ACCESS_KEY_ID"] != "AKIAMWW3HHRILCG6CVE4" || len(out.Environment.Variables) != len(fn.Environment) {
			t.Errorf("%s: environment %+v", ref, out.Environment)
		}
	}

	var noEnv map[string]any
	dev, _ := e.Account("222222222222")
	c.call("lambda", http.MethodGet, "/2015-03-31/functions/orders-lookup/configuration", "", &noEnv)
	if noEnv["Runtime"] != "nodejs22.x" || noEnv["Handler"] != "index.handler" {
		t.Errorf("orders-lookup %v", noEnv)
	}

	cases := []struct {
		name, path string
		status     int
		code, msg  string
	}{
		{"unknown function", "/2015-03-31/functions/nope/configuration", 404, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:111111111111:function:nope"},
		{"unknown qualifier", "/2015-03-31/functions/orders-lookup/configuration?Qualifier=7", 404, "ResourceNotFoundException", "function:orders-lookup:7"},
		{"function of another region", "/2015-03-31/functions/" + percentEncode(LambdaARN("us-west-2", prod.ID, "orders-lookup"), false) + "/configuration", 404, "ResourceNotFoundException", "us-west-2"},
		{"function of another account", "/2015-03-31/functions/" + percentEncode(LambdaARN("us-east-1", dev.ID, "summarizer"), false) + "/configuration", 403, "AccessDeniedException", "resource-based policy"},
		{"unknown query parameter", "/2015-03-31/functions/orders-lookup/configuration?Verbose=1", 400, "InvalidParameterValueException", "Verbose"},
		{"MaxItems 0", "/2015-03-31/functions/?MaxItems=0", 400, "InvalidParameterValueException", "MaxItems"},
		{"bad Marker", "/2015-03-31/functions/?Marker=zzz", 400, "InvalidParameterValueException", "Marker"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := c.do("lambda", http.MethodGet, tc.path, "")
			got := decodeRESTError(t, w)
			if got.status != tc.status || got.code != tc.code || !strings.Contains(got.message, tc.msg) {
				t.Errorf("got %+v, want %d %s containing %q", got, tc.status, tc.code, tc.msg)
			}
			if !strings.Contains(w.Body.String(), `"Type":"User"`) || !strings.Contains(w.Body.String(), `"Message":`) {
				t.Errorf("error body %s: want Lambda's Type and Message", w.Body)
			}
		})
	}
}

func TestLambdaListFunctions(t *testing.T) {
	e := mustDemo(t)
	prod, east := prodRegion(t, e, "us-east-1")
	srv := NewServer(e, Options{PageSize: 2})
	c := newRESTClient(t, srv, prod, "us-east-1")
	var names []string
	marker, pages := "", 0
	for {
		q := url.Values{"MaxItems": {"50"}, "FunctionVersion": {"ALL"}}
		if marker != "" {
			q.Set("Marker", marker)
		}
		var out struct {
			Functions  []wireFunction
			NextMarker string
		}
		// The SDK sends no trailing slash; the API Reference writes one.
		path := "/2015-03-31/functions"
		if pages%2 == 1 {
			path += "/"
		}
		c.call("lambda", http.MethodGet, path+"?"+q.Encode(), "", &out)
		pages++
		for _, f := range out.Functions {
			names = append(names, f.FunctionName)
			if f.FunctionArn != LambdaARN("us-east-1", prod.ID, f.FunctionName) {
				t.Errorf("function %+v", f)
			}
		}
		if out.NextMarker == "" {
			break
		}
		marker = out.NextMarker
	}
	if len(names) != len(east.Lambdas) || pages != 2 {
		t.Errorf("ListFunctions gave %v in %d pages, want the %d functions in 2", names, pages, len(east.Lambdas))
	}
	var empty struct{ Functions []wireFunction }
	newRESTClient(t, srv, prod, "ap-south-1").call("lambda", http.MethodGet, "/2015-03-31/functions/", "", &empty)
	if empty.Functions == nil || len(empty.Functions) != 0 {
		t.Errorf("an empty region: %+v", empty)
	}
}
