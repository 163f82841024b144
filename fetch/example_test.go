package fetch_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"

	"github.com/sharecard/sharecard/fetch"
)

func ExampleFetcher_Get() {
	photos := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("JPEG bytes"))
	}))
	defer photos.Close()

	// The zero Config refuses loopback, like every private address.
	_, err := fetch.New(fetch.Config{}).Get(context.Background(), photos.URL+"/photo.jpg")
	fmt.Println(errors.Is(err, fetch.ErrForbiddenAddress))

	// Allowing loopback explicitly reaches the test server.
	f := fetch.New(fetch.Config{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}})
	defer f.CloseIdleConnections()
	body, err := f.Get(context.Background(), photos.URL+"/photo.jpg")
	fmt.Printf("%s %v\n", body, err)
	// Output:
	// true
	// JPEG bytes <nil>
}
