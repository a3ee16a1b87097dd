package uvtoml

// What each edit means for the decoded document, written against decoded
// values only (never bytes), so a reader's view of the output can be checked
// against the reader's view of the input.

import (
	"encoding/json"
	"strings"

	"github.com/credgen/credgen/generator/masking"
	"github.com/credgen/credgen/generator/urlcred"
)

// deepCopy copies a decoded document through JSON, keeping json.Number.
func deepCopy(doc map[string]any) map[string]any {
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var out map[string]any
	if err := dec.Decode(&out); err != nil {
		panic(err)
	}
	return out
}

// indexList is doc's index entries (nil when there are none).
func indexList(doc map[string]any) []map[string]any {
	list, _ := doc["index"].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, x := range list {
		out = append(out, x.(map[string]any))
	}
	return out
}

func sameIndex(e map[string]any, url string) bool {
	u, ok := e["url"].(string)
	return ok && urlcred.Key(u) == urlcred.Key(url)
}

// meantUpsert: every entry for url's index gets url (and name when it had
// none); the first becomes the one default when def; with no such entry, a
// new one is appended.
func meantUpsert(doc map[string]any, name, url string, def bool) map[string]any {
	doc = deepCopy(doc)
	name, url = strings.ToValidUTF8(name, "\uFFFD"), strings.ToValidUTF8(url, "\uFFFD")
	list := indexList(doc)
	first := -1
	for i, e := range list {
		if !sameIndex(e, url) {
			continue
		}
		e["url"] = url
		if _, has := e["name"]; !has && name != "" {
			e["name"] = name
		}
		if first < 0 {
			first = i
		}
	}
	if first < 0 {
		e := map[string]any{"url": url}
		if name != "" {
			e["name"] = name
		}
		list = append(list, e)
		first = len(list) - 1
	}
	if def {
		for i, e := range list {
			if i == first {
				e["default"] = true
			} else if d, ok := e["default"].(bool); ok && d {
				e["default"] = false
			}
		}
	}
	doc["index"] = toAnyList(list)
	return doc
}

func toAnyList(list []map[string]any) []any {
	out := make([]any, len(list))
	for i, e := range list {
		out[i] = e
	}
	return out
}

// meantMapURLs: every index url is replaced by fn of it.
func meantMapURLs(doc map[string]any, fn func(string) string) map[string]any {
	doc = deepCopy(doc)
	for _, e := range indexList(doc) {
		if u, ok := e["url"].(string); ok {
			e["url"] = fn(u)
		}
	}
	return doc
}

// meantRemove: the entries for url's index are gone; the `index` key goes
// with its last [[index]] table, while an inline `index = []` stays.
func meantRemove(doc map[string]any, url string, inlineForm bool) map[string]any {
	doc = deepCopy(doc)
	if _, has := doc["index"]; !has {
		return doc
	}
	var kept []map[string]any
	for _, e := range indexList(doc) {
		if !sameIndex(e, url) {
			kept = append(kept, e)
		}
	}
	if len(kept) == 0 && !inlineForm {
		delete(doc, "index")
		return doc
	}
	doc["index"] = toAnyList(kept)
	return doc
}

// meantMasked: every string carrying URL credentials has them as ****;
// under a key whose name (or a key above it) looks secret, every value but
// a boolean is "****".
func meantMasked(doc map[string]any) map[string]any {
	return maskValues(deepCopy(doc), false).(map[string]any)
}

func maskValues(v any, secret bool) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = maskValues(x, secret || masking.SecretName(k))
		}
	case []any:
		for i, x := range v {
			v[i] = maskValues(x, secret)
		}
	case bool:
	case string:
		if secret {
			return masking.Mask
		}
		return masking.URL(v)
	default:
		if secret {
			return masking.Mask
		}
	}
	return v
}
