/* Log levels, shared by the LogLevel setting (a threshold: messages at or
 * below it are shown) and by each message the core logs. OpenSSH's scale. */
#ifndef PF_LOG_H
#define PF_LOG_H

typedef enum pf_log_level {
	PF_LOG_QUIET = 0,
	PF_LOG_FATAL,
	PF_LOG_ERROR,
	PF_LOG_INFO, /* default */
	PF_LOG_VERBOSE,
	PF_LOG_DEBUG1, /* "DEBUG" and "DEBUG1" */
	PF_LOG_DEBUG2,
	PF_LOG_DEBUG3
} pf_log_level;

#endif
