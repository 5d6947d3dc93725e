package main

import (
	"encoding/json"
	"net/http"
)

// restCalls is the number of calls the rest scenario makes.
const restCalls = 5

// userInput is the body of POST and PUT /users.
type userInput struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// user is a user resource as the server returns it.
type user struct {
	ID    json.RawMessage `json:"id"`
	Name  string          `json:"name"`
	Email string          `json:"email"`
	Links struct {
		Self struct {
			Href string `json:"href"`
		} `json:"self"`
	} `json:"_links"`
}

// runRest creates, reads, renames and deletes a user, then checks it is gone.
// Every call after the first follows the created user's _links.self.href.
func runRest(b *bench, rep *report) {
	rep.Requests = restCalls
	created := userInput{Name: "polybench-" + b.runID, Email: b.runID + "@example.invalid"}
	renamed := userInput{Name: created.Name + "-renamed", Email: created.Email}

	href, n, err := b.createUser(created)
	rep.record(n, err)
	if err != nil {
		return // without the link there is nothing to follow
	}
	rep.record(b.getUser(href, created))
	rep.record(b.putUser(href, renamed))
	rep.record(b.deleteUser(href))
	rep.record(b.expectGone(href))
}

// createUser POSTs want and returns the new user's link and the response's
// nonce.
func (b *bench) createUser(want userInput) (string, nonce, error) {
	r, err := b.call(http.MethodPost, "/users", want)
	if err != nil {
		return "", nonce{}, err
	}
	if err := r.expectStatus(http.StatusCreated); err != nil {
		return "", nonce{}, err
	}
	var got user
	if err := r.decode(&got); err != nil {
		return "", nonce{}, err
	}
	location := r.header.Get("Location")
	switch {
	case location == "":
		return "", nonce{}, r.failf("no Location header")
	case len(got.ID) == 0 || string(got.ID) == "null":
		return "", nonce{}, r.failf("body %s has no id", excerpt(r.body))
	case got.Name != want.Name || got.Email != want.Email:
		return "", nonce{}, r.failf("body %s, want name %q and email %q", excerpt(r.body), want.Name, want.Email)
	case got.Links.Self.Href != location:
		return "", nonce{}, r.failf("_links.self.href %q differs from Location %q", got.Links.Self.Href, location)
	}
	return got.Links.Self.Href, r.nonce, nil
}

// getUser checks that href is the user want. Like the other calls below, it
// returns the response's nonce.
func (b *bench) getUser(href string, want userInput) (nonce, error) {
	r, err := b.call(http.MethodGet, href, nil)
	if err != nil {
		return nonce{}, err
	}
	if err := r.expectStatus(http.StatusOK); err != nil {
		return nonce{}, err
	}
	var got user
	if err := r.decode(&got); err != nil {
		return nonce{}, err
	}
	if got.Name != want.Name || got.Email != want.Email {
		return nonce{}, r.failf("body %s, want name %q and email %q", excerpt(r.body), want.Name, want.Email)
	}
	return r.nonce, nil
}

// putUser replaces the user at href with want.
func (b *bench) putUser(href string, want userInput) (nonce, error) {
	r, err := b.call(http.MethodPut, href, want)
	if err != nil {
		return nonce{}, err
	}
	if err := r.expectStatus(http.StatusOK); err != nil {
		return nonce{}, err
	}
	var got user
	if err := r.decode(&got); err != nil {
		return nonce{}, err
	}
	if got.Name != want.Name {
		return nonce{}, r.failf("name %q, want %q", got.Name, want.Name)
	}
	return r.nonce, nil
}

// deleteUser deletes the user at href: 204 with an empty body.
func (b *bench) deleteUser(href string) (nonce, error) {
	r, err := b.call(http.MethodDelete, href, nil)
	if err != nil {
		return nonce{}, err
	}
	if err := r.expectStatus(http.StatusNoContent); err != nil {
		return nonce{}, err
	}
	if len(r.body) != 0 {
		return nonce{}, r.failf("body %s, want empty", excerpt(r.body))
	}
	return r.nonce, nil
}

// expectGone checks that href answers 404 with a JSON error.
func (b *bench) expectGone(href string) (nonce, error) {
	r, err := b.call(http.MethodGet, href, nil)
	if err != nil {
		return nonce{}, err
	}
	if err := r.expectStatus(http.StatusNotFound); err != nil {
		return nonce{}, err
	}
	var got map[string]json.RawMessage
	if err := r.decode(&got); err != nil {
		return nonce{}, err
	}
	if _, ok := got["error"]; !ok {
		return nonce{}, r.failf("body %s has no error key", excerpt(r.body))
	}
	return r.nonce, nil
}
