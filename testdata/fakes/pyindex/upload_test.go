package pyindex

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/credgen/credgen/testdata/fakes/faketoken"
)

func TestUploadIsCountedAtTheRepositoryRoot(t *testing.T) {
	ix, err := New(Options{Accept: ProviderUsers})
	if err != nil {
		t.Fatal(err)
	}
	host := "acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com"
	live := faketoken.Issue("test", host, time.Hour, time.Now())
	upload := func(action string) int {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField(":action", action)
		fw, _ := mw.CreateFormFile("content", "x-1.0-py3-none-any.whl")
		fw.Write([]byte("wheel"))
		mw.Close()
		req := httptest.NewRequest(http.MethodPost, "https://"+host+"/pypi/plugins/", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.SetBasicAuth("aws", live)
		rec := httptest.NewRecorder()
		ix.ServeHTTP(rec, req)
		return rec.Code
	}
	if code := upload("file_upload"); code != http.StatusOK || ix.Stats().Uploads != 1 {
		t.Errorf("upload: %d, %d counted", code, ix.Stats().Uploads)
	}
	if code := upload("submit"); code != http.StatusBadRequest || ix.Stats().Uploads != 1 {
		t.Errorf("another action: %d, %d counted", code, ix.Stats().Uploads)
	}
}
