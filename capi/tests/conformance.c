/* The C library against the conformance suite (tests/conformance/README.md).
 *
 *     conformance DIR
 *
 * Opens every DIR/NAME.isptab with isptab_open and with isptab_load (both must
 * succeed, forged-globs.isptab included: it fails only the full check, which
 * opening does not run) and, with each handle:
 *
 *   - answers every line of NAME.answers with isptab_lookup (MX `-`) or
 *     isptab_lookup_mx (`NODATA`: no hosts; otherwise the hosts separated by
 *     one space) and compares the kind, the record and the pattern (`-` for
 *     none) with the expected ones, and the record id with the record's name;
 *     the normalized domain (the third field) is not given by the C library;
 *   - lists the records as NAME.records does: the count of the `table` line,
 *     each record's name and its three encodings, its header rules in order
 *     (and their count), and each exact domain name, which a lookup of it must
 *     answer as that record's exact match. The DEFAULT flag, the format
 *     version, the pattern counts, verify-ok|verify-fails, suffix, glob and MX
 *     patterns are not given by the C library and not checked.
 *
 * Prints one line per mismatch on stderr (file:line, the handle, the query,
 * what was expected and what was got) and a summary on stdout; exits 1 on any
 * mismatch, 2 on a usage or I/O error. Run by tests/integration/capi.sh. */

#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "isptab.h"

static long mismatches;

/* A (pointer, length) string; `s` is NULL for "none". */
typedef struct {
    const char *s;
    size_t len;
} str;

static str cstr(const char *s) { return (str){s, s ? strlen(s) : 0}; }

static int eq(str a, const char *b, size_t blen) {
    return a.s != NULL && b != NULL && a.len == blen && memcmp(a.s, b, blen) == 0;
}

static int is_dash(str a) { return a.len == 1 && a.s[0] == '-'; }

/* Writes bytes, control characters and backslashes escaped as \xNN. */
static void put(FILE *f, const char *s, size_t len) {
    if (s == NULL) {
        fputs("(null)", f);
        return;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || c == '\\')
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "conformance: out of memory\n");
        exit(2);
    }
    return p;
}

/* DIR/NAME.EXT, or NAME.EXT when `dir` is NULL, in memory the caller frees. */
static char *join(const char *dir, const char *name, const char *ext) {
    size_t a = dir ? strlen(dir) + 1 : 0, b = strlen(name), c = strlen(ext);
    char *p = xmalloc(a + b + c + 1);
    if (dir) {
        memcpy(p, dir, a - 1);
        p[a - 1] = '/';
    }
    memcpy(p + a, name, b);
    memcpy(p + a + b, ext, c + 1);
    return p;
}

/* Splits `line` (`len` bytes, no LF) at TABs into at most `max` fields, the
 * last one taking the rest of the line. Returns the number of fields. */
static size_t split(char *line, size_t len, str *fields, size_t max) {
    size_t n = 0;
    const char *p = line, *end = line + len;
    while (n + 1 < max) {
        const char *tab = memchr(p, '\t', (size_t)(end - p));
        if (!tab) break;
        fields[n++] = (str){p, (size_t)(tab - p)};
        p = tab + 1;
    }
    fields[n++] = (str){p, (size_t)(end - p)};
    return n;
}

static const char *kind_name(int kind) {
    switch (kind) {
    case ISPTAB_NONE: return "none";
    case ISPTAB_EXACT: return "exact";
    case ISPTAB_SUFFIX: return "suffix";
    case ISPTAB_GLOB: return "glob";
    case ISPTAB_MX: return "mx";
    case ISPTAB_NULL_MX: return "null-mx";
    case ISPTAB_INVALID: return "invalid";
    case ISPTAB_ERROR: return "error";
    default: return "?";
    }
}

/* The ISPTAB_* code of a kind name of the suite; ISPTAB_ERROR when unknown. */
static int kind_code(str name) {
    static const int kinds[] = {ISPTAB_NONE, ISPTAB_EXACT, ISPTAB_SUFFIX, ISPTAB_GLOB,
                                ISPTAB_MX, ISPTAB_NULL_MX, ISPTAB_INVALID};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        const char *k = kind_name(kinds[i]);
        if (eq(name, k, strlen(k))) return kinds[i];
    }
    return ISPTAB_ERROR;
}

/* A kind that comes with a record. */
static int has_record(int kind) {
    return kind == ISPTAB_EXACT || kind == ISPTAB_SUFFIX || kind == ISPTAB_GLOB ||
           kind == ISPTAB_MX;
}

/* Where a mismatch is: the file, the line and the handle. */
typedef struct {
    const char *file;
    long line;
    const char *handle;
} where;

static void report_start(where w) {
    mismatches++;
    fprintf(stderr, "%s:%ld: [%s] ", w.file, w.line, w.handle);
}

/* One answers line with one handle: 1 when it agrees. */
static int check_answer(const isptab_table *t, where w, const str *f) {
    str query = f[0], mx = f[1], kind_s = f[3], record = f[4], pattern = f[5];
    int want = kind_code(kind_s);
    if (want == ISPTAB_ERROR) {
        report_start(w);
        fputs("unknown kind \"", stderr);
        put(stderr, kind_s.s, kind_s.len);
        fputs("\"\n", stderr);
        return 0;
    }

    /* The MX hosts: `-` none (plain lookup), `NODATA` zero, else split at ' '. */
    int use_mx = !is_dash(mx);
    size_t count = 0;
    const char **hosts = NULL;
    size_t *lens = NULL;
    if (use_mx && !eq(mx, "NODATA", 6)) {
        count = 1;
        for (size_t i = 0; i < mx.len; i++)
            if (mx.s[i] == ' ') count++;
        hosts = xmalloc(count * sizeof *hosts);
        lens = xmalloc(count * sizeof *lens);
        size_t h = 0;
        const char *p = mx.s, *end = mx.s + mx.len;
        for (;;) {
            const char *sp = memchr(p, ' ', (size_t)(end - p));
            const char *stop = sp ? sp : end;
            hosts[h] = p;
            lens[h] = (size_t)(stop - p);
            h++;
            if (!sp) break;
            p = sp + 1;
        }
    }

    isptab_match m;
    memset(&m, 0xAB, sizeof m);
    int got = use_mx ? isptab_lookup_mx(t, query.s, query.len, hosts, lens, count, &m)
                     : isptab_lookup(t, query.s, query.len, &m);
    free(hosts);
    free(lens);

    int ok = got == want;
    const char *why = "";
    if (ok && has_record(want)) {
        size_t name_len = 0;
        const char *name = isptab_record_name(t, m.record_id, &name_len);
        if (!eq(record, m.record, m.record_len) || !eq(pattern, m.pattern, m.pattern_len)) {
            ok = 0;
        } else if (name == NULL || name_len != m.record_len ||
                   memcmp(name, m.record, name_len) != 0) {
            ok = 0;
            why = " (record_id does not name the record)";
        }
    } else if (ok) {
        /* No record: the suite writes `-`, the library NULL and no id. */
        if (!is_dash(record) || !is_dash(pattern)) {
            ok = 0;
            why = " (the answers line has a record for a kind without one)";
        } else if (m.record != NULL || m.record_len != 0 || m.pattern != NULL ||
                   m.pattern_len != 0 || m.record_id != ISPTAB_NO_RECORD) {
            ok = 0;
            why = " (a match without a record holds one)";
        }
    }
    if (ok) return 1;

    report_start(w);
    fputs("query \"", stderr);
    put(stderr, query.s, query.len);
    fputs("\" mx \"", stderr);
    put(stderr, mx.s, mx.len);
    fprintf(stderr, "\": expected %s \"", kind_name(want));
    put(stderr, record.s, record.len);
    fputs("\" \"", stderr);
    put(stderr, pattern.s, pattern.len);
    fprintf(stderr, "\", got %s \"", kind_name(got));
    if (has_record(got)) {
        put(stderr, m.record, m.record_len);
        fputs("\" \"", stderr);
        put(stderr, m.pattern, m.pattern_len);
        fprintf(stderr, "\" (record %u)", (unsigned)m.record_id);
    } else {
        fputs("-\" \"-\"", stderr);
    }
    fprintf(stderr, "%s\n", why);
    return 0;
}

/* Reads the lines of `path` that are not comments, calling `each` with the
 * line (its LF removed; it may hold NUL bytes). Returns the number of lines
 * given to `each`, or -1 when the file cannot be read. */
typedef void (*line_fn)(void *ctx, long lineno, char *line, size_t len);

static long each_line(const char *path, line_fn each, void *ctx) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "conformance: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0, given = 0;
    while ((n = getline(&line, &cap, f)) != -1) {
        lineno++;
        size_t len = (size_t)n;
        if (len > 0 && line[len - 1] == '\n') len--;
        if (len > 0 && line[0] == '#') continue;
        each(ctx, lineno, line, len);
        given++;
    }
    int bad = ferror(f);
    free(line);
    fclose(f);
    if (bad) {
        fprintf(stderr, "conformance: %s: read error\n", path);
        return -1;
    }
    return given;
}

struct table_ctx {
    const char *file; /* NAME.answers or NAME.records, for messages */
    const char *isptab_name; /* NAME.isptab */
    isptab_table *handles[2];
    long agreed; /* answers (or records facts) that agree with both handles */
    /* .records state, per handle */
    long last_line; /* the last line read of the .records file */
    long next_id[2];
    long current_id[2];
    long rules_seen[2];
};

static const char *const handle_names[2] = {"isptab_open", "isptab_load"};

static void malformed(const char *file, long lineno, char *line, size_t len) {
    mismatches++;
    fprintf(stderr, "%s:%ld: malformed line \"", file, lineno);
    put(stderr, line, len);
    fputs("\"\n", stderr);
}

static void answers_line(void *p, long lineno, char *line, size_t len) {
    struct table_ctx *c = p;
    str f[6];
    if (split(line, len, f, 6) != 6 || memchr(f[5].s, '\t', f[5].len)) {
        malformed(c->file, lineno, line, len);
        return;
    }
    int all = 1;
    for (int h = 0; h < 2; h++)
        all &= check_answer(c->handles[h], (where){c->file, lineno, handle_names[h]}, f);
    c->agreed += all;
}

/* Parses a decimal id; -1 when it is not one. */
static long parse_id(str s) {
    if (s.len == 0 || s.len > 6) return -1;
    long v = 0;
    for (size_t i = 0; i < s.len; i++) {
        if (s.s[i] < '0' || s.s[i] > '9') return -1;
        v = v * 10 + (s.s[i] - '0');
    }
    return v;
}

static void fact_mismatch(where w, const char *what, str want, const char *got, size_t got_len) {
    report_start(w);
    fprintf(stderr, "%s: expected \"", what);
    put(stderr, want.s, want.len);
    fputs("\", got ", stderr);
    if (got) {
        fputc('"', stderr);
        put(stderr, got, got_len);
        fputs("\"\n", stderr);
    } else {
        fputs("nothing\n", stderr);
    }
}

/* The end of a record's lines: its rule count. */
static int finish_record(struct table_ctx *c, int h, where w) {
    if (c->current_id[h] < 0) return 1;
    size_t count =
        isptab_record_header_rule_count(c->handles[h], (uint16_t)c->current_id[h]);
    if (count == (size_t)c->rules_seen[h]) return 1;
    report_start(w);
    fprintf(stderr, "record %ld: %ld header rules listed, the library has %zu\n",
            c->current_id[h], c->rules_seen[h], count);
    return 0;
}

/* One .records fact with one handle: 1 when it agrees. */
static int check_fact(struct table_ctx *c, int h, where w, const str *f, size_t n) {
    const isptab_table *t = c->handles[h];
    char num[32];
    if (eq(f[0], "table", 5)) {
        if (n != 7) return -1;
        if (!eq(f[1], c->isptab_name, strlen(c->isptab_name))) {
            fact_mismatch(w, "table file", f[1], c->isptab_name, strlen(c->isptab_name));
            return 0;
        }
        long want = parse_id(f[3]);
        size_t got = isptab_record_count(t);
        if (want < 0 || (size_t)want != got) {
            snprintf(num, sizeof num, "%zu", got);
            fact_mismatch(w, "record count", f[3], num, strlen(num));
            return 0;
        }
        return 1;
    }
    if (eq(f[0], "record", 6)) {
        if (n != 7) return -1;
        int ok = finish_record(c, h, w);
        long id = parse_id(f[1]);
        if (id != c->next_id[h]) {
            snprintf(num, sizeof num, "%ld", c->next_id[h]);
            fact_mismatch(w, "record id (in order)", f[1], num, strlen(num));
            c->current_id[h] = -1;
            return 0;
        }
        c->next_id[h]++;
        c->current_id[h] = id;
        c->rules_seen[h] = 0;
        size_t len = 0;
        const char *name = isptab_record_name(t, (uint16_t)id, &len);
        if (!eq(f[2], name, len)) {
            fact_mismatch(w, "record name", f[2], name, len);
            ok = 0;
        }
        static const char *const parts[3] = {"global", "html", "text"};
        for (int i = 0; i < 3; i++) {
            const char *enc = isptab_record_encoding(t, (uint16_t)id, parts[i]);
            if (!eq(f[4 + i], enc, enc ? strlen(enc) : 0)) {
                char what[64];
                snprintf(what, sizeof what, "record %ld %s encoding", id, parts[i]);
                fact_mismatch(w, what, f[4 + i], enc, enc ? strlen(enc) : 0);
                ok = 0;
            }
        }
        return ok;
    }
    if (eq(f[0], "rule", 4)) {
        if (n < 4) return -1;
        int add = eq(f[2], "add", 3);
        if (!add && !eq(f[2], "remove", 6)) return -1;
        if (add ? n != 5 : n != 4) return -1;
        long id = parse_id(f[1]);
        if (id < 0 || id != c->current_id[h]) {
            snprintf(num, sizeof num, "%ld", c->current_id[h]);
            fact_mismatch(w, "rule of the current record", f[1], num, strlen(num));
            return 0;
        }
        size_t i = (size_t)c->rules_seen[h]++;
        const char *op = NULL, *name = NULL, *value = NULL;
        if (isptab_record_header_rule(t, (uint16_t)id, i, &op, &name, &value) != 0) {
            char what[64];
            snprintf(what, sizeof what, "record %ld header rule %zu", id, i);
            fact_mismatch(w, what, f[3], NULL, 0);
            return 0;
        }
        str want_value = add ? f[4] : cstr("");
        int ok = 1;
        char what[80];
        if (!eq(f[2], op, strlen(op))) {
            snprintf(what, sizeof what, "record %ld header rule %zu op", id, i);
            fact_mismatch(w, what, f[2], op, strlen(op));
            ok = 0;
        }
        if (!eq(f[3], name, strlen(name))) {
            snprintf(what, sizeof what, "record %ld header rule %zu name", id, i);
            fact_mismatch(w, what, f[3], name, strlen(name));
            ok = 0;
        }
        if (!eq(want_value, value, strlen(value))) {
            snprintf(what, sizeof what, "record %ld header rule %zu value", id, i);
            fact_mismatch(w, what, want_value, value, strlen(value));
            ok = 0;
        }
        return ok;
    }
    if (eq(f[0], "domain", 6) || eq(f[0], "mx", 2)) {
        if (n != 4) return -1;
        long id = parse_id(f[1]);
        if (id < 0 || id != c->current_id[h]) {
            snprintf(num, sizeof num, "%ld", c->current_id[h]);
            fact_mismatch(w, "pattern of the current record", f[1], num, strlen(num));
            return 0;
        }
        /* An exact domain name is answered by its record before anything else
         * (section 10, step 1); other patterns are not listed by the library. */
        if (eq(f[0], "domain", 6) && eq(f[2], "exact", 5)) {
            isptab_match m;
            int kind = isptab_lookup(t, f[3].s, f[3].len, &m);
            if (kind != ISPTAB_EXACT || m.record_id != id || !eq(f[3], m.pattern, m.pattern_len)) {
                report_start(w);
                fputs("exact name \"", stderr);
                put(stderr, f[3].s, f[3].len);
                fprintf(stderr, "\": expected exact of record %ld, got %s of record %u \"",
                        id, kind_name(kind), (unsigned)m.record_id);
                put(stderr, m.pattern, m.pattern_len);
                fputs("\"\n", stderr);
                return 0;
            }
        } else if (!eq(f[2], "exact", 5) && !eq(f[2], "suffix", 6) && !eq(f[2], "glob", 4)) {
            return -1;
        }
        return 1;
    }
    return -1;
}

static void records_line(void *p, long lineno, char *line, size_t len) {
    struct table_ctx *c = p;
    c->last_line = lineno;
    str f[7];
    /* Only a rule's value (its fifth and last field) may hold a TAB. */
    int is_rule = len >= 5 && memcmp(line, "rule\t", 5) == 0;
    size_t n = split(line, len, f, is_rule ? 5 : 7);
    if (!is_rule && memchr(f[n - 1].s, '\t', f[n - 1].len)) {
        malformed(c->file, lineno, line, len);
        return;
    }
    int all = 1;
    for (int h = 0; h < 2; h++) {
        int r = check_fact(c, h, (where){c->file, lineno, handle_names[h]}, f, n);
        if (r < 0) {
            malformed(c->file, lineno, line, len);
            return;
        }
        all &= r;
    }
    c->agreed += all;
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s CONFORMANCE-DIR\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "conformance: %s: %s\n", dir, strerror(errno));
        return 2;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len <= 7 || strcmp(e->d_name + len - 7, ".isptab") != 0) continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            char **more = realloc(names, cap * sizeof *names);
            if (!more) {
                fprintf(stderr, "conformance: out of memory\n");
                return 2;
            }
            names = more;
        }
        names[count] = xmalloc(len - 7 + 1);
        memcpy(names[count], e->d_name, len - 7);
        names[count][len - 7] = '\0';
        count++;
    }
    closedir(d);
    if (count == 0) {
        fprintf(stderr, "conformance: no .isptab file in %s\n", dir);
        return 2;
    }
    qsort(names, count, sizeof *names, by_name);

    long answers = 0, answers_agreed = 0, facts = 0, facts_agreed = 0;
    int io_error = 0;
    for (size_t i = 0; i < count; i++) {
        char *table_path = join(dir, names[i], ".isptab");
        char *answers_path = join(dir, names[i], ".answers");
        char *records_path = join(dir, names[i], ".records");
        char *isptab_name = join(NULL, names[i], ".isptab");
        char *answers_file = join(NULL, names[i], ".answers");
        char *records_file = join(NULL, names[i], ".records");

        struct table_ctx c;
        memset(&c, 0, sizeof c);
        c.isptab_name = isptab_name;
        char err[512];
        err[0] = 'x';
        c.handles[0] = isptab_open(table_path, err, sizeof err);
        if (!c.handles[0] || err[0] != '\0') {
            mismatches++;
            fprintf(stderr, "%s: isptab_open failed: %s\n", table_path, err);
        }
        err[0] = 'x';
        c.handles[1] = isptab_load(table_path, err, sizeof err);
        if (!c.handles[1] || err[0] != '\0') {
            mismatches++;
            fprintf(stderr, "%s: isptab_load failed: %s\n", table_path, err);
        }
        if (c.handles[0] && c.handles[1]) {
            c.file = answers_file;
            long n = each_line(answers_path, answers_line, &c);
            if (n < 0) io_error = 1;
            else answers += n;
            answers_agreed += c.agreed;

            c.file = records_file;
            c.agreed = 0;
            for (int h = 0; h < 2; h++) c.current_id[h] = -1;
            n = each_line(records_path, records_line, &c);
            if (n < 0) io_error = 1;
            else facts += n;
            long total = (long)isptab_record_count(c.handles[0]);
            for (int h = 0; h < 2; h++) {
                where w = {c.file, c.last_line, handle_names[h]};
                finish_record(&c, h, w);
                if (n >= 0 && c.next_id[h] != total) {
                    report_start(w);
                    fprintf(stderr, "%ld records listed, the library has %ld\n", c.next_id[h],
                            total);
                }
            }
            facts_agreed += c.agreed;
        }
        isptab_close(c.handles[0]);
        isptab_close(c.handles[1]);
        free(table_path);
        free(answers_path);
        free(records_path);
        free(isptab_name);
        free(answers_file);
        free(records_file);
        free(names[i]);
    }
    free(names);

    if (mismatches == 0 && !io_error) {
        printf("conformance: %ld answers over %zu tables agree (each with isptab_open and "
               "isptab_load); so do %ld lines of their .records\n",
               answers, count, facts);
        return 0;
    }
    printf("conformance: %ld mismatches; %ld of %ld answers and %ld of %ld .records lines "
           "over %zu tables agree%s\n",
           mismatches, answers_agreed, answers, facts_agreed, facts, count,
           io_error ? " (and a file could not be read)" : "");
    return io_error && mismatches == 0 ? 2 : 1;
}
