package containerpolicy_test

import (
	"fmt"

	"containerpolicy"
)

func ExampleEngine_ScanBytes() {
	engine, err := containerpolicy.NewEngine(containerpolicy.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer engine.Close()
	report, err := engine.ScanBytes("Dockerfile", []byte("FROM node:20\nUSER root\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range report.Findings {
		if f.RuleID == "CP001" {
			fmt.Printf("%s:%d:%d %s %s\n", f.File, f.Line, f.Column, f.Severity, f.RuleID)
		}
	}
	// Output: Dockerfile:2:6 high CP001
}
