/*
 * The RCU every reader of kernel state uses (liburcu's default flavour),
 * and what ThreadSanitizer must be told about it. Include this instead of
 * <urcu.h>.
 *
 * liburcu is not built with TSan, so TSan sees none of the ordering the
 * library provides, and reports every RCU-published object as a race:
 * the platform thread's initialisation of a task against the reader that
 * found it in the hash table, and every read against the call_rcu()
 * callback that frees the object a grace period later. Under TSan (and
 * only there) this header states that ordering:
 *
 *  - rcu_published(obj) before an object is added to an RCU hash table,
 *    rcu_found(obj) after a reader got it from one: release and acquire
 *    on the object itself, as cds_lfht_add() and cds_lfht_lookup() order
 *    the accesses around them;
 *  - rcu_read_unlock() and call_rcu() release one "grace period" sync
 *    object, and synchronize_rcu() and every callback (which starts with
 *    rcu_callback_begin()) acquire it: a callback runs only after every
 *    read-side critical section that could see its object has ended;
 *  - rcu_assign_pointer() and rcu_dereference() become C11 release and
 *    acquire accesses, which is what they are (liburcu 0.14 does the same
 *    with CONFIG_RCU_USE_ATOMIC_BUILTINS; Debian 12 has 0.13).
 *
 * In every other build these are liburcu's own calls and empty macros.
 * Races that remain inside liburcu itself are its own
 * (tests/procfs/tsan.supp).
 */
#ifndef SENTRY_KERNEL_RCU_H
#define SENTRY_KERNEL_RCU_H

#include <urcu.h>
#include <urcu/rculfhash.h>

#if defined(__SANITIZE_THREAD__)
#define SENTRY_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SENTRY_TSAN 1
#endif
#endif

#ifdef SENTRY_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);

/* The sync object that stands for "a grace period has elapsed". */
extern char sentry_rcu_grace_period;

#define rcu_published(obj) __tsan_release((void *)(obj))
#define rcu_found(obj) __tsan_acquire((void *)(obj))
#define rcu_callback_begin() __tsan_acquire(&sentry_rcu_grace_period)

#undef rcu_read_unlock
#define rcu_read_unlock()                                  \
	do {                                               \
		__tsan_release(&sentry_rcu_grace_period);  \
		urcu_memb_read_unlock();                   \
	} while (0)

#undef synchronize_rcu
#define synchronize_rcu()                                  \
	do {                                               \
		urcu_memb_synchronize_rcu();               \
		__tsan_acquire(&sentry_rcu_grace_period);  \
	} while (0)

#undef call_rcu
#define call_rcu(head, fn)                                 \
	do {                                               \
		__tsan_release(&sentry_rcu_grace_period);  \
		urcu_memb_call_rcu((head), (fn));          \
	} while (0)

#undef rcu_dereference
#define rcu_dereference(p) __atomic_load_n(&(p), __ATOMIC_ACQUIRE)
#undef rcu_assign_pointer
#define rcu_assign_pointer(p, v) __atomic_store_n(&(p), (v), __ATOMIC_RELEASE)

#else /* !SENTRY_TSAN */

#define rcu_published(obj) ((void)(obj))
#define rcu_found(obj) ((void)(obj))
#define rcu_callback_begin() ((void)0)

#endif /* SENTRY_TSAN */

#endif /* SENTRY_KERNEL_RCU_H */
