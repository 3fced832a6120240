/*
 * received.h - what a Received: header says: the "from" host and address,
 * and the "by" host. Pure, bounded, never fails: garbage is a stamp with
 * nothing known.
 */
#ifndef RECEIVED_H
#define RECEIVED_H

#include <stddef.h>

#include "addr.h"
#include "mxguard.h"

#define RCV_VALUE_MAX 4096           /* bytes of one header value parsed */

struct rcv_stamp {
	char from[MXG_NAME_MAX];         /* host after "from" (often the HELO), "" if none */
	char from_name[MXG_NAME_MAX];    /* name inside the from comment (rDNS), "" if none */
	struct addr ip;                  /* address of the from clause */
	int has_ip;
	char by[MXG_NAME_MAX];           /* host after "by", "" if none */
	int truncated;                   /* value longer than RCV_VALUE_MAX */
};

void rcv_parse(const char *value, size_t len, struct rcv_stamp *st);

#endif
