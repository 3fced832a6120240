/*
 * dnsreply.h - what of a DNS reply the resolver's cache keeps (pure).
 */
#ifndef DNSREPLY_H
#define DNSREPLY_H

#include <stddef.h>

int dnsreply_reduce(int type, const unsigned char *abuf, size_t alen, unsigned char **out,
    size_t *outlen, unsigned *ttl);
int dnsreply_is_spf(const unsigned char *rdata, size_t rdlen);

#endif
