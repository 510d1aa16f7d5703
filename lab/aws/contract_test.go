package aws

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Contract tests against provider-written material in ../shared/api-examples
// (the botocore model of IAM and AWS's sample responses). They are skipped
// when that folder is not beside the project.

const apiExamples = "../../../shared/api-examples/aws/iam"

type botocoreModel struct {
	Operations map[string]struct {
		Output struct {
			Shape string `json:"shape"`
		} `json:"output"`
	} `json:"operations"`
	Shapes map[string]struct {
		Type    string `json:"type"`
		Members map[string]struct {
			Shape string `json:"shape"`
		} `json:"members"`
		Member struct {
			Shape string `json:"shape"`
		} `json:"member"`
		Enum []string `json:"enum"`
	} `json:"shapes"`
}

// readAPIExample reads a file of ../shared/api-examples, skipping the test
// when that folder is not beside the project.
func readAPIExample(t *testing.T, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("no ../shared/api-examples beside the project")
	}
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func loadModel(t *testing.T) *botocoreModel {
	t.Helper()
	raw := readAPIExample(t, filepath.Join(apiExamples, "schema_roles_keys_authdetails.botocore.json"))
	var m botocoreModel
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

// conform checks that the XML answer of op has the shape the model gives
// its output: only known members, lists wrapped in <member>, timestamps,
// booleans and integers in their wire form, enum values from the enum.
func (m *botocoreModel) conform(op string, body []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(body))
	root, err := nextStart(dec)
	if err != nil {
		return err
	}
	if root.Name.Local != op+"Response" {
		return fmt.Errorf("root element %s, want %sResponse", root.Name.Local, op)
	}
	for {
		el, err := nextStart(dec)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch el.Name.Local {
		case op + "Result":
			if err := m.walk(dec, m.Operations[op].Output.Shape, op+"Result"); err != nil {
				return err
			}
		case "ResponseMetadata":
			if err := dec.Skip(); err != nil {
				return err
			}
		default:
			return fmt.Errorf("unexpected element %s in %sResponse", el.Name.Local, op)
		}
	}
}

func (m *botocoreModel) walk(dec *xml.Decoder, shape, path string) error {
	s, ok := m.Shapes[shape]
	if !ok {
		return fmt.Errorf("%s: shape %s is not in the model", path, shape)
	}
	switch s.Type {
	case "structure":
		for {
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				member, ok := s.Members[tok.Name.Local]
				if !ok {
					return fmt.Errorf("%s: %s is not a member of %s", path, tok.Name.Local, shape)
				}
				if err := m.walk(dec, member.Shape, path+"/"+tok.Name.Local); err != nil {
					return err
				}
			case xml.EndElement:
				return nil
			}
		}
	case "list":
		for {
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				if tok.Name.Local != "member" {
					return fmt.Errorf("%s: list item %s, want member", path, tok.Name.Local)
				}
				if err := m.walk(dec, s.Member.Shape, path+"/member"); err != nil {
					return err
				}
			case xml.EndElement:
				return nil
			}
		}
	default:
		var text string
		for {
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			switch tok := tok.(type) {
			case xml.CharData:
				text += string(tok)
			case xml.StartElement:
				return fmt.Errorf("%s: element %s inside scalar %s", path, tok.Name.Local, shape)
			case xml.EndElement:
				return checkScalar(path, s.Type, s.Enum, text)
			}
		}
	}
}

func checkScalar(path, typ string, enum []string, text string) error {
	var err error
	switch typ {
	case "timestamp":
		_, err = time.Parse(isoTime, text)
	case "boolean":
		if text != "true" && text != "false" {
			err = fmt.Errorf("not true or false")
		}
	case "integer":
		_, err = strconv.Atoi(text)
	case "string":
		if len(enum) > 0 {
			found := false
			for _, e := range enum {
				found = found || e == text
			}
			if !found {
				err = fmt.Errorf("not one of %v", enum)
			}
		}
	}
	if err != nil {
		return fmt.Errorf("%s: %q: %v", path, text, err)
	}
	return nil
}

func nextStart(dec *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := dec.Token()
		if err != nil {
			return xml.StartElement{}, err
		}
		if s, ok := tok.(xml.StartElement); ok {
			return s, nil
		}
	}
}

func TestAnswersConformToTheIAMModel(t *testing.T) {
	model := loadModel(t)
	e := mustDemo(t)
	srv := NewServer(e, Options{PageSize: 5})
	for _, a := range e.Accounts {
		c := client{t, srv, a}
		forms := []url.Values{
			iamForm("GetAccountAuthorizationDetails"),
			iamForm("GetAccountAuthorizationDetails", "MaxItems", "1"),
			iamForm("ListRoles"),
			iamForm("ListUsers"),
		}
		for _, r := range a.Roles {
			forms = append(forms, iamForm("GetRole", "RoleName", r.Name))
		}
		for _, u := range a.Users {
			forms = append(forms, iamForm("ListAccessKeys", "UserName", u.Name))
			for _, k := range u.AccessKeys {
				forms = append(forms, iamForm("GetAccessKeyLastUsed", "AccessKeyId", k.ID))
			}
		}
		// Every page of GAAD, to see every kind of record.
		marker := ""
		for {
			kv := []string{}
			if marker != "" {
				kv = append(kv, "Marker", marker)
			}
			f := iamForm("GetAccountAuthorizationDetails", kv...)
			forms = append(forms, f)
			var resp gaadResponse
			c.call(f, &resp)
			if !resp.Result.IsTruncated {
				break
			}
			marker = resp.Result.Marker
		}
		for _, f := range forms {
			w := c.do(f)
			if err := model.conform(f.Get("Action"), w.Body.Bytes()); err != nil {
				t.Errorf("%s %v: %v", a.ID, f, err)
			}
		}
	}
}

// TestClientStructsReadAWSExamples checks the structs these tests decode
// the lab's answers with read AWS's own sample responses the same way, so a
// test passing on the lab's XML means the lab's XML has AWS's shape.
func TestClientStructsReadAWSExamples(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(apiExamples, "xml", name))
		if errors.Is(err, os.ErrNotExist) {
			t.Skip("no ../shared/api-examples beside the project")
		}
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var gaad gaadResponse
	if err := xml.Unmarshal(read("GetAccountAuthorizationDetails.xml"), &gaad); err != nil {
		t.Fatal(err)
	}
	r := gaad.Result
	if len(r.Users) != 5 || r.Users[1].UserName != "Bob" || len(r.Users[1].UserPolicyList) != 1 || r.Users[4].GroupList[1] != "Admins" ||
		len(r.Groups) != 3 || len(r.Roles) != 1 || r.Roles[0].RoleName != "EC2role" || r.Roles[0].AssumeRolePolicyDocument == "" || gaad.RequestID == "" {
		t.Errorf("GAAD sample read as %+v", r)
	}

	var keys listAccessKeysResponse
	if err := xml.Unmarshal(read("ListAccessKeys.xml"), &keys); err != nil {
		t.Fatal(err)
	}
	if len(keys.Result.Keys) != 2 || keys.Result.Keys[1].Status != "Inactive" || keys.Result.Keys[0].AccessKeyId != "AKIAIOSFODNN7EXAMPLE" {
		t.Errorf("ListAccessKeys sample read as %+v", keys)
	}

	var denied wireError
	if err := xml.Unmarshal(read("Error_AccessDenied.xml"), &denied); err != nil {
		t.Fatal(err)
	}
	if denied.Code != "AccessDenied" || denied.Type != "Sender" || denied.Xmlns != iamNamespace || !strings.HasPrefix(denied.Message, "User: arn:aws:iam::123456789012:user/Bob is not authorized to perform: iam:ListRoles") {
		t.Errorf("AccessDenied sample read as %+v", denied)
	}

	// The URL-encoded trust policy of a live ListRoles answer decodes the
	// way the lab's does.
	var roles struct {
		Docs []string `xml:"ListRolesResult>Roles>member>AssumeRolePolicyDocument"`
	}
	if err := xml.Unmarshal(read("ListRoles_urlencoded_truncated.xml"), &roles); err != nil || len(roles.Docs) != 1 {
		t.Fatalf("ListRoles sample: %v %v", roles, err)
	}
	doc, err := url.PathUnescape(roles.Docs[0])
	if err != nil || !json.Valid([]byte(doc)) {
		t.Fatalf("sample trust policy %q: %v", doc, err)
	}
	if got := Document(doc).urlEncoded(); got != roles.Docs[0] {
		t.Errorf("the lab encodes the sample's trust policy as\n%s\nAWS sent\n%s", got, roles.Docs[0])
	}
}
