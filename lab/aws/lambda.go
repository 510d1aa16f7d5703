package aws

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
)

// Lambda (API version 2015-03-31, SigV4 signing name lambda), written from
// the API Reference and checked against the Go SDK's request and response
// snapshots: PascalCase members, LastModified in Lambda's own format, lists
// paged with Marker and MaxItems in the query string, errors with a Type
// and a Message.

func lambdaService() *restService {
	return &restService{
		signingName: lambdaSigningName,
		name:        "lambda",
		iamPrefix:   "lambda",
		lambdaStyle: true,
		guess:       func(p string) bool { return strings.HasPrefix(p, "/2015-03-31/") },
		ops: []*restOp{
			op("GetFunctionConfiguration", http.MethodGet, getFunctionConfiguration, "/2015-03-31/functions/{FunctionName}/configuration").withQuery("Qualifier"),
			op("ListFunctions", http.MethodGet, listFunctions, "/2015-03-31/functions", "/2015-03-31/functions/").
				withQuery("FunctionVersion", "MasterRegion").paged("MaxItems", "Marker", 10000, true),
		},
	}
}

// lambdaTime is how Lambda writes LastModified.
func lambdaTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000-0700") }

type lambdaEnvironment struct {
	Variables map[string]string `json:"Variables"`
}

type tracingConfig struct {
	Mode string `json:"Mode"`
}

type ephemeralStorage struct {
	Size int `json:"Size"`
}

type loggingConfig struct {
	LogFormat string `json:"LogFormat"`
	LogGroup  string `json:"LogGroup"`
}

// functionConfiguration is a function as GetFunctionConfiguration and
// ListFunctions answer it. Environment holds the variables as written in
// the estate, secrets included, as Lambda answers them.
type functionConfiguration struct {
	FunctionName     string             `json:"FunctionName"`
	FunctionArn      string             `json:"FunctionArn"`
	Runtime          string             `json:"Runtime"`
	Role             string             `json:"Role"`
	Handler          string             `json:"Handler"`
	CodeSize         int                `json:"CodeSize"`
	Description      string             `json:"Description"`
	Timeout          int                `json:"Timeout"`
	MemorySize       int                `json:"MemorySize"`
	LastModified     string             `json:"LastModified"`
	CodeSha256       string             `json:"CodeSha256"`
	Version          string             `json:"Version"`
	Environment      *lambdaEnvironment `json:"Environment,omitempty"`
	TracingConfig    tracingConfig      `json:"TracingConfig"`
	RevisionID       string             `json:"RevisionId"`
	State            string             `json:"State"`
	LastUpdateStatus string             `json:"LastUpdateStatus"`
	PackageType      string             `json:"PackageType"`
	Architectures    []string           `json:"Architectures"`
	EphemeralStorage ephemeralStorage   `json:"EphemeralStorage"`
	LoggingConfig    loggingConfig      `json:"LoggingConfig"`
}

type listFunctionsOutput struct {
	Functions  []functionConfiguration `json:"Functions"`
	NextMarker string                  `json:"NextMarker,omitempty"`
}

func (c *restCall) functionConfiguration(l *Lambda) functionConfiguration {
	sum := sha256.Sum256([]byte("aam-lab\x00lambda\x00" + c.account.ID + "\x00" + c.region.region.Name + "\x00" + l.Name))
	rev := hex.EncodeToString(sum[16:])
	fc := functionConfiguration{
		FunctionName:     l.Name,
		FunctionArn:      LambdaARN(c.region.region.Name, c.account.ID, l.Name),
		Runtime:          l.Runtime,
		Role:             c.account.roleARN(l.Role),
		Handler:          l.Handler,
		CodeSize:         4096 + int(sum[0])*16,
		Description:      l.Description,
		Timeout:          30,
		MemorySize:       256,
		LastModified:     lambdaTime(l.Created),
		CodeSha256:       base64.StdEncoding.EncodeToString(sum[:]),
		Version:          "$LATEST",
		TracingConfig:    tracingConfig{Mode: "PassThrough"},
		RevisionID:       rev[0:8] + "-" + rev[8:12] + "-" + rev[12:16] + "-" + rev[16:20] + "-" + rev[20:32],
		State:            "Active",
		LastUpdateStatus: "Successful",
		PackageType:      "Zip",
		Architectures:    []string{"x86_64"},
		EphemeralStorage: ephemeralStorage{Size: 512},
		LoggingConfig:    loggingConfig{LogFormat: "Text", LogGroup: "/aws/lambda/" + l.Name},
	}
	if len(l.Environment) > 0 {
		fc.Environment = &lambdaEnvironment{Variables: l.Environment}
	}
	return fc
}

func getFunctionConfiguration(c *restCall) (any, *apiError) {
	ref := c.vars["FunctionName"]
	region := c.region.region.Name
	name, qualifier := ref, ""
	if rest, ok := strings.CutPrefix(ref, "arn:"); ok {
		// arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
		f := strings.Split(rest, ":")
		if len(f) < 6 || len(f) > 7 || f[1] != "lambda" || f[4] != "function" {
			return nil, c.invalid("1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must be a function name or ARN", ref)
		}
		if f[3] != c.account.ID {
			return nil, &apiError{status: http.StatusForbidden, code: "AccessDeniedException",
				message: "User: " + c.principal + " is not authorized to perform: lambda:GetFunctionConfiguration on resource: " + ref + " because no resource-based policy allows the lambda:GetFunctionConfiguration action",
				outcome: denied}
		}
		if f[2] != region {
			return nil, c.notFound("Function not found: %s", ref)
		}
		name = f[5]
		if len(f) == 7 {
			qualifier = f[6]
		}
	}
	if q, ok := c.query["Qualifier"]; ok {
		qualifier = q[0]
	}
	l, ok := c.region.lambdas[name]
	if !ok || (qualifier != "" && qualifier != "$LATEST") {
		arn := LambdaARN(region, c.account.ID, name)
		if qualifier != "" {
			arn += ":" + qualifier
		}
		return nil, c.notFound("Function not found: %s", arn)
	}
	return c.functionConfiguration(l), nil
}

func listFunctions(c *restCall) (any, *apiError) {
	if v, ok := c.query["FunctionVersion"]; ok && v[0] != "ALL" {
		return nil, c.invalid("1 validation error detected: Value '%s' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]", v[0])
	}
	fns := c.region.region.Lambdas
	pg, aerr := c.page(len(fns), "")
	if aerr != nil {
		return nil, aerr
	}
	out := listFunctionsOutput{Functions: []functionConfiguration{}, NextMarker: pg.Next}
	for i := pg.Start; i < pg.End; i++ {
		out.Functions = append(out.Functions, c.functionConfiguration(&fns[i]))
	}
	return out, nil
}
