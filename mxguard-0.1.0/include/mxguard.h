/*
 * mxguard.h - limits and small types shared by mxguard and mxguard-wl.
 *
 * Every input that enters from outside (a config line, a whitelist line, a
 * client name, a HELO) is bounded by one of these numbers where it enters.
 */
#ifndef MXGUARD_H
#define MXGUARD_H

#define MXG_LINE_MAX      4096  /* config and whitelist source lines */
#define MXG_NAME_MAX      256   /* host names, HELO (RFC 1035: 253 + slack) */
#define MXG_ADDR_MAX      512   /* envelope addresses kept for the log line */
#define MXG_ENTRY_MAX     260   /* canonical whitelist entry text */
#define MXG_LOGVAL_MAX    200   /* bytes of one logged value before "..." */
#define MXG_LOGLINE_MAX   2048  /* one log line */
#define MXG_ERRS_MAX      50    /* problems reported for one file */

#define MXG_DEFAULT_CONF  SYSCONFDIR "/mxguard/mxguard.conf"

#endif
