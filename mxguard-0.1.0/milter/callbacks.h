/*
 * callbacks.h - the libmilter filter description mxguard registers.
 */
#ifndef CALLBACKS_H
#define CALLBACKS_H

#include <libmilter/mfapi.h>

extern struct smfiDesc cb_desc;

#endif
