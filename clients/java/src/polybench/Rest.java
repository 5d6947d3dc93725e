package polybench;

import java.util.Map;

/** The rest scenario: create, read, rename, delete a user, then see it gone, following _links.self.href. */
final class Rest {
    static final int CALLS = 5;

    private Rest() {
    }

    static void run(Bench bench, Report report) {
        String name = "polybench-" + bench.runId;
        String email = bench.runId + "@example.invalid";
        String renamed = name + "-renamed";
        String href;
        try {
            href = create(bench, name, email, report);
        } catch (Bench.CallFailed e) {
            report.fail(e.getMessage());
            return; // nothing to follow
        }
        try {
            Bench.Reply reply = bench.call("GET", href, null, report).expectStatus(200);
            expectUser(reply, reply.json(), name, email);
            report.ok(reply.nonce());
        } catch (Bench.CallFailed e) {
            report.fail(e.getMessage());
        }
        try {
            Bench.Reply reply = bench.call("PUT", href, body(renamed, email), report).expectStatus(200);
            Object got = field(reply.json(), "name");
            if (!renamed.equals(got)) throw reply.failed("name " + got + ", want " + renamed);
            report.ok(reply.nonce());
        } catch (Bench.CallFailed e) {
            report.fail(e.getMessage());
        }
        try {
            Bench.Reply reply = bench.call("DELETE", href, null, report).expectStatus(204);
            if (!reply.body().isEmpty()) throw reply.failed("body " + Bench.excerpt(reply.body()) + ", want empty");
            report.ok(reply.nonce());
        } catch (Bench.CallFailed e) {
            report.fail(e.getMessage());
        }
        try {
            Bench.Reply reply = bench.call("GET", href, null, report).expectStatus(404);
            if (!(reply.json() instanceof Map<?, ?> map && map.containsKey("error"))) {
                throw reply.failed("body " + Bench.excerpt(reply.body()) + " has no error key");
            }
            report.ok(reply.nonce());
        } catch (Bench.CallFailed e) {
            report.fail(e.getMessage());
        }
    }

    /** POST /users; returns the new user's _links.self.href after checking it equals Location. */
    private static String create(Bench bench, String name, String email, Report report) throws Bench.CallFailed {
        Bench.Reply reply = bench.call("POST", "/users", body(name, email), report).expectStatus(201);
        Object user = reply.json();
        String location = reply.headers().firstValue("Location").orElse(null);
        if (location == null) throw reply.failed("no Location header");
        if (field(user, "id") == null) throw reply.failed("body " + Bench.excerpt(reply.body()) + " has no id");
        expectUser(reply, user, name, email);
        Object link = field(field(field(user, "_links"), "self"), "href");
        if (!location.equals(link)) throw reply.failed("_links.self.href " + link + " differs from Location " + location);
        report.ok(reply.nonce());
        return location;
    }

    private static void expectUser(Bench.Reply reply, Object user, String name, String email) throws Bench.CallFailed {
        if (!name.equals(field(user, "name")) || !email.equals(field(user, "email"))) {
            throw reply.failed("body " + Bench.excerpt(reply.body()) + ", want name " + name + " and email " + email);
        }
    }

    private static Object field(Object object, String key) {
        return object instanceof Map<?, ?> map ? map.get(key) : null;
    }

    private static String body(String name, String email) {
        return "{\"name\":" + Json.quote(name) + ",\"email\":" + Json.quote(email) + "}";
    }
}
