/* A bound for layer 4 in native code (bench/sql_bounds.py, query "native"), the design
 * docs/scale.md names for 100M rows: every id hashed to 64 bits as it is read and
 * written to one of 1,024 partitions by the top bits of its hash, each partition's
 * hashes then counted in a table small enough for the cache; each id named (the
 * participants' JSON lists) hashed and probed against the actors' hashes. A hash held
 * twice would then be compared exactly in a second read of the ids it names (not done
 * here: it only over-counts, and the benchmark fails if the count is not the planted
 * one). One thread; the caller reads the columns (pyarrow) and hands over the Arrow
 * buffers of each batch (never a null pointer: an empty column's bytes are a static
 * empty buffer) and fails on any negative return (out of memory). A benchmark's code,
 * compiled by it: bilat ships no C. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PBITS 10
#define NPART (1 << PBITS)

typedef struct { uint64_t *v; int64_t n, cap; } part_t;
static part_t parts[NPART];
static uint64_t *actors;
static int64_t actor_mask = -1;

static uint64_t hash64(const uint8_t *p, int64_t n) {
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (uint64_t)n;
    while (n >= 8) {
        uint64_t k;
        memcpy(&k, p, 8);
        h = (h ^ (k * 0xC2B2AE3D27D4EB4FULL)) * 0x9E3779B97F4A7C15ULL;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    uint64_t k = 0;
    if (n) memcpy(&k, p, (size_t)n);
    h = (h ^ (k * 0xC2B2AE3D27D4EB4FULL)) * 0x9E3779B97F4A7C15ULL;
    h ^= h >> 33; h *= 0xff51afd7ed558ccdULL; h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL; h ^= h >> 33;
    return h ? h : 1; /* 0 marks an empty slot */
}

static int insert(uint64_t *table, int64_t mask, uint64_t h) {
    /* 1 when h was there already */
    int64_t i = (int64_t)(h & (uint64_t)mask);
    while (table[i]) {
        if (table[i] == h) return 1;
        i = (i + 1) & mask;
    }
    table[i] = h;
    return 0;
}

static int member(const uint64_t *table, int64_t mask, uint64_t h) {
    int64_t i = (int64_t)(h & (uint64_t)mask);
    while (table[i]) {
        if (table[i] == h) return 1;
        i = (i + 1) & mask;
    }
    return 0;
}

/* the actors' ids: a table of their hashes */
int set_actors(const int32_t *off, const uint8_t *data, int64_t n) {
    int64_t size = 1;
    while (size < 4 * n) size <<= 1;
    actors = calloc((size_t)size, 8);
    if (!actors) return -1;
    actor_mask = size - 1;
    for (int64_t i = 0; i < n; i++) insert(actors, actor_mask, hash64(data + off[i], off[i + 1] - off[i]));
    return 0;
}

/* ids off[0..n] of one batch: hashed, partitioned; returns how many an actor holds */
int64_t add_ids(const int32_t *off, const uint8_t *data, int64_t n) {
    int64_t clash = 0;
    for (int64_t i = 0; i < n; i++) {
        uint64_t h = hash64(data + off[i], off[i + 1] - off[i]);
        clash += member(actors, actor_mask, h);
        part_t *p = &parts[h >> (64 - PBITS)];
        if (p->n == p->cap) {
            int64_t cap = p->cap ? 2 * p->cap : 4096;
            uint64_t *grown = realloc(p->v, (size_t)cap * 8);
            if (!grown) return -1; /* p->v is still the caller's to free */
            p->v = grown;
            p->cap = cap;
        }
        p->v[p->n++] = h;
    }
    return clash;
}

/* the hashes seen more than once (each counted once) */
int64_t held_twice(void) {
    int64_t twice = 0, biggest = 0;
    for (int i = 0; i < NPART; i++) if (parts[i].n > biggest) biggest = parts[i].n;
    int64_t size = 1;
    while (size < 2 * biggest) size <<= 1;
    uint64_t *seen = calloc((size_t)size, 8), *again = calloc((size_t)size, 8);
    if (!seen || !again) {
        free(seen);
        free(again);
        return -1;
    }
    for (int i = 0; i < NPART; i++) {
        part_t *p = &parts[i];
        int64_t s = 1;
        while (s < 2 * p->n) s <<= 1;
        memset(seen, 0, (size_t)s * 8);
        memset(again, 0, (size_t)s * 8);
        for (int64_t j = 0; j < p->n; j++)
            if (insert(seen, s - 1, p->v[j]) && !insert(again, s - 1, p->v[j])) twice++;
        free(p->v);
        p->v = NULL; p->n = p->cap = 0;
    }
    free(seen); free(again);
    return twice;
}

/* the lists off[0..n] (canonical: ["a","b"], or empty): the ids no actor holds */
int64_t unheld(const int32_t *off, const uint8_t *data, int64_t n) {
    int64_t missing = 0;
    for (int64_t i = 0; i < n; i++) {
        const uint8_t *p = data + off[i], *end = data + off[i + 1];
        while (p < end) {
            const uint8_t *q = memchr(p, '"', (size_t)(end - p));
            if (!q) break;
            const uint8_t *r = memchr(q + 1, '"', (size_t)(end - q - 1));
            if (!r) break;
            missing += !member(actors, actor_mask, hash64(q + 1, r - q - 1));
            p = r + 1;
        }
    }
    return missing;
}
