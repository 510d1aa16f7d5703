package iampolicy_test

import (
	"fmt"

	"github.com/aam-dev/aam/scanners/aws/iampolicy"
)

func Example() {
	// An inline policy as IAM's query API returns it (URL-encoded), and a
	// plain one.
	inline, err := iampolicy.Decode("%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22NotAction%22%3A%22iam%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%7D")
	if err != nil {
		fmt.Println(err)
		return
	}
	deny, err := iampolicy.Decode(`{"Statement":{"Effect":"Deny","Action":["kms:*","secretsmanager:*","ssm:*"],"Resource":"*"}}`)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, g := range iampolicy.Effective([]iampolicy.Source{
		{Name: "inline:power", Document: inline},
		{Name: "inline:no-secrets", Document: deny},
	}) {
		fmt.Println(g.Resource, g.Level, g.Actions, "sensitive:", g.Sensitive)
	}
	fmt.Println(iampolicy.ActionLevel("s3:Get*"), iampolicy.ActionLevel("iam:PassRole"))
	// Output:
	// * write [NotAction:iam:* NotAction:kms:* NotAction:secretsmanager:* NotAction:ssm:*] sensitive: true
	// read admin
}
