/*
 * relay.h - the origin of mail relayed by a RELAY peer (pure).
 */
#ifndef RELAY_H
#define RELAY_H

#include <stddef.h>

#include "received.h"

int relay_origin(const struct rcv_stamp *stamps, unsigned n, char *const *local, size_t nlocal,
    const struct addr *peer_addr, const struct rcv_stamp **peer);

#endif
