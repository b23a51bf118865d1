// Computes Helm's client-side patches with apimachinery for the cases on
// stdin (JSON lines: {"name","kind","mode","original","modified","current"}),
// printing {"name","patch"} lines. Mode "merge2" is the JSON merge patch
// Helm sends for custom resources (evanphx/json-patch CreateMergePatch),
// "merge3" the three-way JSON merge patch (jsonmergepatch), anything else
// the three-way strategic merge patch of built-in kinds.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	jsonpatch "github.com/evanphx/json-patch"
	"k8s.io/apimachinery/pkg/util/jsonmergepatch"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
)

type tc struct {
	Name     string          `json:"name"`
	Kind     string          `json:"kind"`
	Mode     string          `json:"mode"`
	Original json.RawMessage `json:"original"`
	Modified json.RawMessage `json:"modified"`
	Current  json.RawMessage `json:"current"`
}

func main() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var c tc
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			panic(err)
		}
		if c.Mode == "merge2" || c.Mode == "merge3" {
			var p []byte
			var err error
			if c.Mode == "merge2" {
				p, err = jsonpatch.CreateMergePatch(c.Original, c.Modified)
			} else {
				p, err = jsonmergepatch.CreateThreeWayJSONMergePatch(c.Original, c.Modified, c.Current)
			}
			if err != nil {
				panic(err)
			}
			b, _ := json.Marshal(map[string]interface{}{"name": c.Name, "patch": json.RawMessage(p)})
			fmt.Println(string(b))
			continue
		}
		var obj interface{}
		switch c.Kind {
		case "Deployment":
			obj = &appsv1.Deployment{}
		case "Service":
			obj = &corev1.Service{}
		case "ConfigMap":
			obj = &corev1.ConfigMap{}
		case "Pod":
			obj = &corev1.Pod{}
		}
		meta, err := strategicpatch.NewPatchMetaFromStruct(obj)
		if err != nil {
			panic(err)
		}
		p, err := strategicpatch.CreateThreeWayMergePatch(c.Original, c.Modified, c.Current, meta, true)
		out := map[string]interface{}{"name": c.Name}
		if err != nil {
			out["error"] = err.Error()
		} else {
			out["patch"] = json.RawMessage(p)
		}
		b, _ := json.Marshal(out)
		fmt.Println(string(b))
	}
}
