/*
 * The io_uring subset tunctl binds on Linux, as io.tunctl.core.natives.linux.io_uring_h declares it.
 *
 * glibc has no io_uring wrappers: the three calls go through syscall(2), linked with the system call number and
 * the arguments as variadic longs/pointers. The structs and constants come from the kernel's own
 * <linux/io_uring.h> (the truth the layout check compares the Java bindings with). IORING_OP_READ_MULTISHOT
 * (Linux 6.7) is newer than some distributions' kernel headers, so it is defined here when they predate it;
 * UringSupport probes the running kernel for it anyway.
 */
#ifndef TUNCTL_IO_URING_H
#define TUNCTL_IO_URING_H

#include <linux/io_uring.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* <unistd.h>: the three io_uring calls, each linked with its arguments as variadic longs or pointers:
 *   int io_uring_setup(u32 entries, struct io_uring_params *p);
 *   int io_uring_enter(unsigned int fd, u32 to_submit, u32 min_complete, u32 flags, const sigset_t *sig, size_t sz);
 *   int io_uring_register(unsigned int fd, unsigned int opcode, void *arg, unsigned int nr_args);
 */
long syscall(long number, ...);

/* <sys/mman.h>: the SQ/CQ rings and the SQE array are mapped from the ring's fd */
void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset);
int munmap(void *addr, size_t length);

/* an enum member of <linux/io_uring.h> only from 6.7 on; the number is ABI */
#include <linux/version.h>
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 7, 0)
#define IORING_OP_READ_MULTISHOT 49
#endif

#endif
