/* The C library from C: every function, every answer kind, the NULL and length
 * edge cases, broken table files and many threads on one table.
 *
 *     test TABLE WORKDIR [ITERATIONS]
 *
 * TABLE is capi/tests/fixture.kdl built with `isptab build --no-defaults`;
 * WORKDIR is a writable directory for broken copies of it. Run by
 * tests/integration/capi.sh against the shared and the static library, under
 * valgrind and with sanitizers. Ends with "N passed, N failed". */

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isptab.h"

static int passed, failed;

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (cond) {                                                        \
            passed++;                                                      \
        } else {                                                           \
            failed++;                                                      \
            fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                  \
    } while (0)

/* Whether `len` bytes at `s` are exactly the C string `want`. */
static int same(const char *s, size_t len, const char *want) {
    return s != NULL && len == strlen(want) && memcmp(s, want, len) == 0;
}

/* A lookup of a C string, its match expected to be record `id` by `pattern`. */
static void expect(const isptab_table *t, const char *query, int kind, int id, const char *record,
                   const char *pattern) {
    isptab_match m;
    memset(&m, 0xAB, sizeof m);
    int got = isptab_lookup(t, query, strlen(query), &m);
    if (got != kind) fprintf(stderr, "query %s: kind %d, want %d\n", query, got, kind);
    CHECK(got == kind);
    if (record == NULL) {
        CHECK(m.record == NULL && m.record_len == 0 && m.pattern == NULL && m.pattern_len == 0);
        CHECK(m.record_id == ISPTAB_NO_RECORD);
    } else {
        CHECK(same(m.record, m.record_len, record));
        CHECK(same(m.pattern, m.pattern_len, pattern));
        CHECK(m.record_id == id);
    }
}

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0, got;
    do {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            char *more = realloc(buf, cap);
            if (!more) { free(buf); fclose(f); return NULL; }
            buf = more;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    fclose(f);
    *len = n;
    return buf;
}

static void write_file(const char *path, const char *bytes, size_t len) {
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    CHECK(fwrite(bytes, 1, len, f) == len);
    CHECK(fclose(f) == 0);
}

/* Opening: errors always come with a NUL-terminated message cut to the buffer. */
static void test_open_errors(const char *table_path, const char *workdir) {
    char err[256];

    strcpy(err, "x");
    CHECK(isptab_open(NULL, err, sizeof err) == NULL);
    CHECK(strlen(err) > 0);
    CHECK(isptab_load(NULL, err, sizeof err) == NULL);

    char missing[1024];
    snprintf(missing, sizeof missing, "%s/missing.isptab", workdir);
    CHECK(isptab_open(missing, err, sizeof err) == NULL);
    CHECK(strstr(err, "missing.isptab") != NULL);
    CHECK(isptab_load(missing, err, sizeof err) == NULL);
    CHECK(strstr(err, "missing.isptab") != NULL);

    /* No buffer, an empty one, one byte, a few bytes: cut, always terminated. */
    CHECK(isptab_open(missing, NULL, 0) == NULL);
    CHECK(isptab_open(missing, NULL, 100) == NULL);
    err[0] = 'x';
    CHECK(isptab_open(missing, err, 0) == NULL);
    CHECK(err[0] == 'x');
    memset(err, 'x', sizeof err);
    CHECK(isptab_open(missing, err, 1) == NULL);
    CHECK(err[0] == '\0' && err[1] == 'x');
    memset(err, 'x', sizeof err);
    CHECK(isptab_open(missing, err, 8) == NULL);
    CHECK(strlen(err) == 7 && err[8] == 'x');

    /* A directory, an empty file, garbage, and the table cut in half. */
    CHECK(isptab_open(workdir, err, sizeof err) == NULL);
    CHECK(strstr(err, "directory") != NULL);

    size_t len = 0;
    char *bytes = read_file(table_path, &len);
    CHECK(bytes != NULL && len > 64);
    if (!bytes) return;
    char path[1024];
    snprintf(path, sizeof path, "%s/broken.isptab", workdir);
    const size_t cuts[] = {0, 1, 16, 63, 64, len / 2, len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        write_file(path, bytes, cuts[i]);
        err[0] = '\0';
        CHECK(isptab_open(path, err, sizeof err) == NULL);
        CHECK(strlen(err) > 0 && strstr(err, "broken.isptab") != NULL);
        CHECK(isptab_load(path, err, sizeof err) == NULL);
        CHECK(strlen(err) > 0);
    }
    char garbage[4096];
    for (size_t i = 0; i < sizeof garbage; i++) garbage[i] = (char)(i * 7 + 3);
    write_file(path, garbage, sizeof garbage);
    CHECK(isptab_open(path, err, sizeof err) == NULL);
    CHECK(strlen(err) > 0);
    /* The real header with a flipped byte in a section fails its checksum. */
    bytes[len - 1] ^= 0x40;
    write_file(path, bytes, len);
    isptab_table *flipped = isptab_open(path, err, sizeof err);
    /* A flip in a big section may only be found by the full check; either way
     * nothing crashes and the handle works. */
    if (flipped) {
        isptab_match m;
        isptab_lookup(flipped, "alpha.example", 13, &m);
        isptab_close(flipped);
    }
    free(bytes);
}

/* Every answer kind and every edge case of the lookups. */
static void test_lookup(const isptab_table *t) {
    expect(t, "alpha.example", ISPTAB_EXACT, 0, "Alpha Mail", "alpha.example");
    expect(t, "User@ALPHA.Example.", ISPTAB_EXACT, 0, "Alpha Mail", "alpha.example");
    expect(t, "<a.b@gamma.example>", ISPTAB_EXACT, 2, "Gamma", "gamma.example");
    expect(t, "a.b.alpha.example", ISPTAB_SUFFIX, 0, "Alpha Mail", "*.alpha.example");
    expect(t, "alpha-x.example", ISPTAB_GLOB, 0, "Alpha Mail", "alpha-*.example");
    expect(t, "\xd0\x9f\xd0\x9e\xd0\xa7\xd0\xa2\xd0\x90.example", ISPTAB_EXACT, 1,
           "\xd0\x9f\xd0\xbe\xd1\x87\xd1\x82\xd0\xb0 \xd0\x91\xd0\xb5\xd1\x82\xd0\xb0",
           "xn--80a1acny.example");
    expect(t, "nobody.example", ISPTAB_NONE, 0, NULL, NULL);
    expect(t, "localhost", ISPTAB_INVALID, 0, NULL, NULL);
    expect(t, "a..b", ISPTAB_INVALID, 0, NULL, NULL);
    expect(t, "", ISPTAB_INVALID, 0, NULL, NULL);
    expect(t, "\xff\xfe.example", ISPTAB_INVALID, 0, NULL, NULL);

    /* A suffix pattern is a copy the handle keeps: the same pointer each time,
     * NUL-terminated. */
    isptab_match a, b;
    CHECK(isptab_lookup(t, "x.alpha.example", 15, &a) == ISPTAB_SUFFIX);
    CHECK(isptab_lookup(t, "y.alpha.example", 15, &b) == ISPTAB_SUFFIX);
    CHECK(a.pattern == b.pattern && strcmp(a.pattern, "*.alpha.example") == 0);

    /* The query is (pointer, length): bytes after it are not read. */
    const char buf[] = "alpha.exampleXYZ";
    isptab_match m;
    CHECK(isptab_lookup(t, buf, 13, &m) == ISPTAB_EXACT);
    CHECK(isptab_lookup(t, buf, 5, &m) == ISPTAB_INVALID);
    char unterminated[13];
    memcpy(unterminated, "gamma.example", 13);
    CHECK(isptab_lookup(t, unterminated, 13, &m) == ISPTAB_EXACT && m.record_id == 2);

    /* NULL arguments. */
    CHECK(isptab_lookup(t, NULL, 0, &m) == ISPTAB_INVALID && m.record == NULL);
    memset(&m, 0xAB, sizeof m);
    CHECK(isptab_lookup(t, NULL, 5, &m) == ISPTAB_ERROR);
    CHECK(m.record == NULL && m.pattern == NULL && m.record_id == ISPTAB_NO_RECORD);
    memset(&m, 0xAB, sizeof m);
    CHECK(isptab_lookup(NULL, "alpha.example", 13, &m) == ISPTAB_ERROR && m.record == NULL);
    CHECK(isptab_lookup(t, "alpha.example", 13, NULL) == ISPTAB_ERROR);
    CHECK(isptab_lookup(NULL, NULL, 0, NULL) == ISPTAB_ERROR);
    CHECK(isptab_lookup(t, "alpha.example", SIZE_MAX, &m) == ISPTAB_ERROR);

    /* A long query is answered, not refused or read past. */
    size_t long_len = 100000;
    char *long_query = malloc(long_len);
    CHECK(long_query != NULL);
    if (long_query) {
        memset(long_query, 'a', long_len);
        CHECK(isptab_lookup(t, long_query, long_len, &m) == ISPTAB_INVALID);
        free(long_query);
    }
}

static int lookup_mx(const isptab_table *t, const char *query, const char *const *hosts,
                     size_t count, isptab_match *m) {
    size_t lens[8];
    for (size_t i = 0; i < count; i++) lens[i] = strlen(hosts[i]);
    return isptab_lookup_mx(t, query, strlen(query), hosts, lens, count, m);
}

static void test_lookup_mx(const isptab_table *t) {
    isptab_match m;
    const char *alpha[] = {"a.mx.alpha.example.", "inbound.alpha.example", "b.MX.alpha.example"};
    CHECK(lookup_mx(t, "ceo@hosted.example", alpha, 3, &m) == ISPTAB_MX);
    CHECK(same(m.record, m.record_len, "Alpha Mail") && m.record_id == 0);
    CHECK(same(m.pattern, m.pattern_len, "*.mx.alpha.example"));
    const char *inbound_first[] = {"inbound.alpha.example", "a.mx.alpha.example"};
    CHECK(lookup_mx(t, "hosted.example", inbound_first, 2, &m) == ISPTAB_MX);
    CHECK(same(m.pattern, m.pattern_len, "inbound.alpha.example"));

    /* Hosts of two records, or one that matches nothing: no record. */
    const char *mixed[] = {"a.mx.alpha.example", "mx.beta.example"};
    CHECK(lookup_mx(t, "hosted.example", mixed, 2, &m) == ISPTAB_NONE && m.record == NULL);
    const char *partly[] = {"a.mx.alpha.example", "mx.other.example"};
    CHECK(lookup_mx(t, "hosted.example", partly, 2, &m) == ISPTAB_NONE);

    /* The null MX; `.` among other hosts is not one. */
    const char *null_mx[] = {"."};
    CHECK(lookup_mx(t, "hosted.example", null_mx, 1, &m) == ISPTAB_NULL_MX && m.record == NULL);
    CHECK(m.record_id == ISPTAB_NO_RECORD);
    const char *dot_among[] = {".", "a.mx.alpha.example"};
    CHECK(lookup_mx(t, "hosted.example", dot_among, 2, &m) == ISPTAB_NONE);

    /* No hosts: the domain is its own MX (implicit MX). */
    CHECK(isptab_lookup_mx(t, "mx.beta.example", 15, NULL, NULL, 0, &m) == ISPTAB_MX);
    CHECK(m.record_id == 1 && same(m.pattern, m.pattern_len, "mx.beta.example"));
    CHECK(isptab_lookup_mx(t, "hosted.example", 14, NULL, NULL, 0, &m) == ISPTAB_NONE);

    /* A domain pattern wins over the hosts. */
    CHECK(lookup_mx(t, "gamma.example", alpha, 3, &m) == ISPTAB_EXACT && m.record_id == 2);
    CHECK(lookup_mx(t, "x.alpha.example", mixed, 2, &m) == ISPTAB_SUFFIX);
    CHECK(lookup_mx(t, "bad", alpha, 3, &m) == ISPTAB_INVALID);

    /* Hosts are (pointer, length) too; invalid UTF-8 matches nothing. */
    const char *raw[] = {"a.mx.alpha.exampleJUNK"};
    size_t raw_len[] = {18};
    CHECK(isptab_lookup_mx(t, "hosted.example", 14, raw, raw_len, 1, &m) == ISPTAB_MX);
    const char *bad_utf8[] = {"\xff.mx.alpha.example"};
    size_t bad_len[] = {19};
    CHECK(isptab_lookup_mx(t, "hosted.example", 14, bad_utf8, bad_len, 1, &m) == ISPTAB_NONE);

    /* NULL arrays or hosts with a length are errors. */
    size_t one[] = {5};
    CHECK(isptab_lookup_mx(t, "hosted.example", 14, NULL, one, 1, &m) == ISPTAB_ERROR);
    CHECK(isptab_lookup_mx(t, "hosted.example", 14, alpha, NULL, 1, &m) == ISPTAB_ERROR);
    const char *null_host[] = {NULL};
    CHECK(isptab_lookup_mx(t, "hosted.example", 14, null_host, one, 1, &m) == ISPTAB_ERROR);
    size_t zero[] = {0};
    CHECK(isptab_lookup_mx(t, "hosted.example", 14, null_host, zero, 1, &m) == ISPTAB_NONE);
    CHECK(isptab_lookup_mx(t, "hosted.example", 14, alpha, one, SIZE_MAX, &m) == ISPTAB_ERROR);
    CHECK(isptab_lookup_mx(NULL, "hosted.example", 14, NULL, NULL, 0, &m) == ISPTAB_ERROR);
    CHECK(isptab_lookup_mx(t, "hosted.example", 14, NULL, NULL, 0, NULL) == ISPTAB_ERROR);
}

static void test_records(const isptab_table *t) {
    CHECK(isptab_record_count(t) == 3);
    CHECK(isptab_record_count(NULL) == 0);

    size_t len = 99;
    const char *name0 = isptab_record_name(t, 0, &len);
    CHECK(same(name0, len, "Alpha Mail"));
    const char *name2 = isptab_record_name(t, 2, &len);
    CHECK(same(name2, len, "Gamma"));
    CHECK(isptab_record_name(t, 2, NULL) != NULL);
    CHECK(isptab_record_name(t, 3, &len) == NULL && len == 0);
    len = 99;
    CHECK(isptab_record_name(t, UINT16_MAX, &len) == NULL && len == 0);
    CHECK(isptab_record_name(NULL, 0, &len) == NULL && len == 0);

    CHECK(strcmp(isptab_record_encoding(t, 0, "global"), "8bit") == 0);
    CHECK(strcmp(isptab_record_encoding(t, 0, "html"), "base64") == 0);
    CHECK(strcmp(isptab_record_encoding(t, 0, "text"), "8bit") == 0);
    CHECK(strcmp(isptab_record_encoding(t, 1, "html"), "quoted-printable") == 0);
    CHECK(strcmp(isptab_record_encoding(t, 2, "text"), "base64") == 0);
    CHECK(strcmp(isptab_record_encoding(t, 2, "global"), "quoted-printable") == 0);
    CHECK(isptab_record_encoding(t, 0, "body") == NULL);
    CHECK(isptab_record_encoding(t, 0, "HTML") == NULL);
    CHECK(isptab_record_encoding(t, 0, "") == NULL);
    CHECK(isptab_record_encoding(t, 0, NULL) == NULL);
    CHECK(isptab_record_encoding(t, 3, "html") == NULL);
    CHECK(isptab_record_encoding(NULL, 0, "html") == NULL);

    CHECK(isptab_record_header_rule_count(t, 0) == 2);
    CHECK(isptab_record_header_rule_count(t, 1) == 0);
    CHECK(isptab_record_header_rule_count(t, 2) == 1);
    CHECK(isptab_record_header_rule_count(t, 3) == 0);
    CHECK(isptab_record_header_rule_count(NULL, 0) == 0);

    const char *op = NULL, *name = NULL, *value = NULL;
    CHECK(isptab_record_header_rule(t, 0, 0, &op, &name, &value) == 0);
    CHECK(strcmp(op, "add") == 0 && strcmp(name, "X-Alpha-Route") == 0);
    CHECK(strcmp(value, "bulk, 1") == 0);
    const char *again = NULL;
    CHECK(isptab_record_header_rule(t, 0, 0, NULL, &again, NULL) == 0 && again == name);
    CHECK(isptab_record_header_rule(t, 0, 1, &op, &name, &value) == 0);
    CHECK(strcmp(op, "remove") == 0 && strcmp(name, "X-Priority") == 0 && strcmp(value, "") == 0);
    CHECK(isptab_record_header_rule(t, 2, 0, &op, &name, &value) == 0);
    CHECK(strcmp(name, "X-Gamma") == 0 && strcmp(value, "g") == 0);
    CHECK(isptab_record_header_rule(t, 0, 0, NULL, NULL, NULL) == 0);

    op = name = value = "set";
    CHECK(isptab_record_header_rule(t, 0, 2, &op, &name, &value) == -1);
    CHECK(op == NULL && name == NULL && value == NULL);
    CHECK(isptab_record_header_rule(t, 0, SIZE_MAX, &op, &name, &value) == -1);
    CHECK(isptab_record_header_rule(t, 1, 0, &op, &name, &value) == -1);
    CHECK(isptab_record_header_rule(t, 3, 0, &op, &name, &value) == -1);
    CHECK(isptab_record_header_rule(NULL, 0, 0, &op, &name, &value) == -1);
    CHECK(isptab_record_header_rule(NULL, 0, 0, NULL, NULL, NULL) == -1);
}

/* Many threads on one handle: every answer right, every pointer the same. */
struct worker {
    const isptab_table *table;
    long iterations;
    long wrong;
};

static void *work(void *arg) {
    struct worker *w = arg;
    static const struct {
        const char *query;
        int kind;
        uint16_t id;
    } cases[] = {
        {"alpha.example", ISPTAB_EXACT, 0},     {"x.y.alpha.example", ISPTAB_SUFFIX, 0},
        {"alpha-q.example", ISPTAB_GLOB, 0},    {"user@beta.example", ISPTAB_EXACT, 1},
        {"gamma.example", ISPTAB_EXACT, 2},     {"nobody.example", ISPTAB_NONE, ISPTAB_NO_RECORD},
        {"no", ISPTAB_INVALID, ISPTAB_NO_RECORD},
    };
    const size_t n = sizeof cases / sizeof cases[0];
    const char *hosts[] = {"a.mx.alpha.example"};
    size_t lens[] = {18};
    for (long i = 0; i < w->iterations; i++) {
        isptab_match m;
        size_t c = (size_t)i % n;
        int kind = isptab_lookup(w->table, cases[c].query, strlen(cases[c].query), &m);
        if (kind != cases[c].kind || m.record_id != cases[c].id) w->wrong++;
        if (kind == ISPTAB_SUFFIX && strcmp(m.pattern, "*.alpha.example") != 0) w->wrong++;
        if (isptab_lookup_mx(w->table, "h.example", 9, hosts, lens, 1, &m) != ISPTAB_MX) w->wrong++;
        const char *name = NULL;
        if (isptab_record_header_rule(w->table, 0, (size_t)i % 2, NULL, &name, NULL) != 0 ||
            name == NULL)
            w->wrong++;
    }
    return NULL;
}

static void test_threads(const isptab_table *t, long iterations) {
    enum { THREADS = 8 };
    pthread_t threads[THREADS];
    struct worker workers[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (struct worker){t, iterations, 0};
        CHECK(pthread_create(&threads[i], NULL, work, &workers[i]) == 0);
    }
    long wrong = 0;
    for (int i = 0; i < THREADS; i++) {
        CHECK(pthread_join(threads[i], NULL) == 0);
        wrong += workers[i].wrong;
    }
    CHECK(wrong == 0);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s TABLE WORKDIR [ITERATIONS]\n", argv[0]);
        return 2;
    }
    long iterations = argc > 3 ? strtol(argv[3], NULL, 10) : 20000;
    const char *version = isptab_version();
    CHECK(version != NULL && strlen(version) > 0);

    test_open_errors(argv[1], argv[2]);
    isptab_close(NULL);

    char err[256];
    isptab_table *mapped = isptab_open(argv[1], err, sizeof err);
    if (!mapped) fprintf(stderr, "isptab_open: %s\n", err);
    CHECK(mapped != NULL && err[0] == '\0');
    isptab_table *loaded = isptab_load(argv[1], err, sizeof err);
    if (!loaded) fprintf(stderr, "isptab_load: %s\n", err);
    CHECK(loaded != NULL && err[0] == '\0');
    if (!mapped || !loaded) {
        printf("%d passed, %d failed\n", passed, failed + 1);
        return 1;
    }
    isptab_table *tables[] = {mapped, loaded};
    for (int i = 0; i < 2; i++) {
        test_lookup(tables[i]);
        test_lookup_mx(tables[i]);
        test_records(tables[i]);
        test_threads(tables[i], iterations);
    }
    isptab_close(loaded);
    isptab_close(mapped);

    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
