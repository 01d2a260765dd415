/* SPDX-License-Identifier: Apache-2.0 */
/* log.h: how the engine reports what the glue logs. The engine never calls
 * httpd; the glue passes a callback that maps to ap_log_error/ap_log_cerror. */
#ifndef CFAOP_LOG_H
#define CFAOP_LOG_H

typedef enum { CFAOP_LOG_ERROR, CFAOP_LOG_WARNING, CFAOP_LOG_INFO, CFAOP_LOG_DEBUG } cfaop_log_level_t;

typedef struct {
    /* msg starts with the message's stable CFAOPnnnn id */
    void (*fn)(void *baton, cfaop_log_level_t level, const char *msg);
    void *baton;
} cfaop_log_t;

#define cfaop_log(log, level, msg) \
    do { if ((log) != NULL && (log)->fn != NULL) (log)->fn((log)->baton, (level), (msg)); } while (0)

#endif
