/*
 * The libc subset tunctl binds on Linux (glibc), as io.tunctl.core.natives.linux.libc_h declares it.
 *
 * The prototypes below repeat glibc's; compiling this file after the system headers makes the compiler check
 * that each one still matches. Compile WITHOUT _GNU_SOURCE: with it glibc declares the sockaddr arguments as
 * transparent unions and the plain-pointer prototypes (the ones the FFM descriptors follow) would conflict.
 */
#ifndef TUNCTL_LIBC_H
#define TUNCTL_LIBC_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/sched.h> /* CLONE_NEWNET; <sched.h> only has it under _GNU_SOURCE */

/* <fcntl.h> */
int open(const char *pathname, int flags, ...);     /* linked with the variadic mode_t mode */
int fcntl(int fd, int cmd, ...);                    /* linked with one variadic int */

/* <unistd.h>, <sys/uio.h> */
int close(int fd);
ssize_t read(int fd, void *buf, size_t count);
ssize_t write(int fd, const void *buf, size_t count);
ssize_t readv(int fd, const struct iovec *iov, int iovcnt);
ssize_t writev(int fd, const struct iovec *iov, int iovcnt);

/* <sys/ioctl.h> */
int ioctl(int fd, unsigned long request, ...);      /* linked twice: with a pointer and with an unsigned long */

/* <poll.h>, <sys/eventfd.h> */
int poll(struct pollfd *fds, nfds_t nfds, int timeout);
int eventfd(unsigned int initval, int flags);

/* <sched.h> (glibc declares it only under _GNU_SOURCE) */
int setns(int fd, int nstype);

/* <sys/socket.h> */
int socket(int domain, int type, int protocol);
int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen);
int setsockopt(int sockfd, int level, int optname, const void *optval, socklen_t optlen);
int getsockopt(int sockfd, int level, int optname, void *optval, socklen_t *optlen);
ssize_t sendto(int sockfd, const void *buf, size_t len, int flags, const struct sockaddr *dest_addr,
               socklen_t addrlen);
ssize_t recv(int sockfd, void *buf, size_t len, int flags);

/* <string.h> */
char *strerror(int errnum);

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#endif
