/*
 * wlcompile.h - whitelist source text to CDB, written atomically.
 */
#ifndef WLCOMPILE_H
#define WLCOMPILE_H

#include <stdio.h>

int wlc_compile(const char *src, const char *out, int check_only, FILE *errf);
int wlc_parse_key(const char *word, unsigned char *key, size_t *klen,
    char *canon, size_t csize, const char **why);

#endif
