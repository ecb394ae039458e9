#!/usr/bin/env python3
"""Emits the struct classes of tun-core's natives.darwin and natives.windows packages (and natives.linux's io_uring
structs) in jextract's shape.

jextract is not available from the registries tunctl builds from, and these platforms' structs cannot be read
from headers on a Linux build machine anyway, so the field lists below are transcribed from the platform headers
(cited per struct) and turned into Java here, with C's natural-alignment rules deciding padding and offsets. What
this script computes is not trusted: the layout checks (DarwinLayoutCheckIT with clang's Darwin targets on
native-headers/darwin_*.h, WindowsLayoutCheckIT with mingw-w64 on the real Windows SDK headers) compare every
size, alignment and offset of the emitted classes with what a C compiler for the platform says.

    python3 native-headers/structgen.py    # rewrites the generated classes in place

Field types: u8 u16 u32 u64 ptr, ('array', n, elem), ('struct', 'Class'), ('union'|'struct', 'Class', [fields])
for a nested anonymous aggregate emitted as a nested class.
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JAVA = os.path.join(ROOT, 'tun-core', 'src', 'main', 'java', 'io', 'tunctl', 'core', 'natives')

PRIM = {
    'u8': ('JAVA_BYTE', 'OfByte', 'byte', 1),
    'u16': ('JAVA_SHORT', 'OfShort', 'short', 2),
    'u32': ('JAVA_INT', 'OfInt', 'int', 4),
    'u64': ('JAVA_LONG', 'OfLong', 'long', 8),
    'ptr': ('ADDRESS', 'AddressLayout', 'MemorySegment', 8),
}


class Agg:
    """A struct or union: its fields, and size/alignment/offsets by C's rules (LP64 and LLP64 agree here)."""

    def __init__(self, name, kind, fields, doc, cname, registry):
        self.name, self.kind, self.fields, self.doc, self.cname = name, kind, fields, doc, cname
        self.nested = []
        self.registry = registry
        self.offsets = []
        off, align, size = 0, 1, 0
        for f in fields:
            fs, fa = self.size_align(f[1])
            align = max(align, fa)
            if kind == 'union':
                self.offsets.append(0)
                size = max(size, fs)
            else:
                off = (off + fa - 1) // fa * fa
                self.offsets.append(off)
                off += fs
                size = off
        self.size = (size + align - 1) // align * align
        self.align = align

    def size_align(self, t):
        if isinstance(t, str):
            s = PRIM[t][3]
            return s, s
        if t[0] == 'array':
            es, ea = self.size_align(t[2])
            return es * t[1], ea
        if len(t) == 3:  # nested anonymous aggregate, made once
            for n in self.nested:
                if n.name == t[1]:
                    return n.size, n.align
            a = Agg(t[1], t[0], t[2], None, None, self.registry)
            self.nested.append(a)
            return a.size, a.align
        a = self.registry[t[1]]
        return a.size, a.align


def layout_expr(t):
    if isinstance(t, str):
        return PRIM[t][0]
    if t[0] == 'array':
        return 'MemoryLayout.sequenceLayout(%d, %s)' % (t[1], layout_expr(t[2]))
    return '%s.layout()' % t[1]


def layout_type(t):
    if isinstance(t, str):
        return PRIM[t][1]
    return 'SequenceLayout' if t[0] == 'array' else 'GroupLayout'


def doc(text, indent):
    pad = ' ' * indent
    lines = [pad + '/**', pad + ' * ' + text[0]]
    lines += [pad + ' * {@snippet lang=c :', pad + ' * ' + text[1], pad + ' * }', pad + ' */']
    return '\n'.join(lines)


def emit_agg(a, indent, top):
    p = ' ' * indent
    out = []
    members = []
    prev_end = 0
    for f, off in zip(a.fields, a.offsets):
        if a.kind == 'struct' and off > prev_end:
            members.append('MemoryLayout.paddingLayout(%d)' % (off - prev_end))
        members.append('%s.withName("%s")' % (layout_expr(f[1]), f[0]))
        prev_end = off + a.size_align(f[1])[0]
    if a.kind == 'struct' and a.size > prev_end:
        members.append('MemoryLayout.paddingLayout(%d)' % (a.size - prev_end))
    factory = 'unionLayout' if a.kind == 'union' else 'structLayout'
    out.append(p + '%s() {}' % a.name)
    out.append('')
    out.append(p + 'private static final GroupLayout $LAYOUT = MemoryLayout.%s(' % factory)
    out.append(',\n'.join(p + '        ' + m for m in members) + ')')
    out.append(p + '        .withName("%s");' % a.name)
    out.append('')
    out.append(p + '/** The layout of {@code %s}. */' % (a.cname or a.name))
    out.append(p + 'public static final GroupLayout layout() { return $LAYOUT; }')
    for f, off in zip(a.fields, a.offsets):
        name, t, cdecl = f
        lt = layout_type(t)
        out.append('')
        out.append(p + 'private static final %s %s$LAYOUT = (%s) $LAYOUT.select(groupElement("%s"));' % (lt, name, lt, name))
        out.append(doc(('Layout of field', cdecl), indent))
        out.append(p + 'public static final %s %s$layout() { return %s$LAYOUT; }' % (lt, name, name))
        out.append(p + 'private static final long %s$OFFSET = %d;' % (name, off))
        out.append(doc(('Offset of field', cdecl), indent))
        out.append(p + 'public static final long %s$offset() { return %s$OFFSET; }' % (name, name))
        if isinstance(t, str):
            jt = PRIM[t][2]
            out.append(doc(('Getter for field', cdecl), indent))
            out.append(p + 'public static %s %s(MemorySegment struct) { return struct.get(%s$LAYOUT, %s$OFFSET); }' % (jt, name, name, name))
            out.append(doc(('Setter for field', cdecl), indent))
            out.append(p + 'public static void %s(MemorySegment struct, %s fieldValue) { struct.set(%s$LAYOUT, %s$OFFSET, fieldValue); }' % (name, jt, name, name))
        else:
            out.append(doc(('Getter for field (a slice of {@code struct})', cdecl), indent))
            out.append(p + 'public static MemorySegment %s(MemorySegment struct) { return struct.asSlice(%s$OFFSET, %s$LAYOUT.byteSize()); }' % (name, name, name))
            out.append(doc(('Setter for field (copies {@code fieldValue} in)', cdecl), indent))
            out.append(p + 'public static void %s(MemorySegment struct, MemorySegment fieldValue) { MemorySegment.copy(fieldValue, 0L, struct, %s$OFFSET, %s$LAYOUT.byteSize()); }' % (name, name, name))
    for n in a.nested:
        out.append('')
        out.append(p + '/** The anonymous %s {@code %s} inside {@code %s}. */' % (n.kind, n.name, a.cname or a.name))
        out.append(p + '@SuppressWarnings("unused")')
        out.append(p + 'public static final class %s {' % n.name)
        out.append(emit_agg(n, indent + 4, False))
        out.append(p + '}')
    out.append('')
    out.append(p + '/** {@return the size of this %s in bytes} */' % a.kind)
    out.append(p + 'public static long sizeof() { return layout().byteSize(); }')
    if top:
        out.append(p + '/** Allocates one zeroed struct. */')
        out.append(p + 'public static MemorySegment allocate(SegmentAllocator allocator) { return allocator.allocate(layout()); }')
        out.append(p + '/** Allocates an array of {@code elementCount} zeroed structs. */')
        out.append(p + 'public static MemorySegment allocateArray(long elementCount, SegmentAllocator allocator) {')
        out.append(p + '    return allocator.allocate(MemoryLayout.sequenceLayout(elementCount, layout()));')
        out.append(p + '}')
        out.append(p + '/** The {@code index}-th struct of an array. */')
        out.append(p + 'public static MemorySegment asSlice(MemorySegment array, long index) {')
        out.append(p + '    return array.asSlice(layout().byteSize() * index, layout().byteSize());')
        out.append(p + '}')
    return '\n'.join(out)


def emit(package, a):
    body = emit_agg(a, 4, True)
    imports = ['java.lang.foreign.GroupLayout', 'java.lang.foreign.MemoryLayout', 'java.lang.foreign.MemorySegment',
               'java.lang.foreign.SegmentAllocator']
    statics = ['java.lang.foreign.MemoryLayout.PathElement.groupElement']
    for prim in PRIM.values():
        if (' ' + prim[1] + ' ') in body:
            imports.append('java.lang.foreign.AddressLayout' if prim[1] == 'AddressLayout' else 'java.lang.foreign.ValueLayout.' + prim[1])
        if prim[0] + '.' in body or prim[0] + ')' in body:
            statics.append('java.lang.foreign.ValueLayout.' + prim[0])
    if 'SequenceLayout' in body:
        imports.append('java.lang.foreign.SequenceLayout')
    head = ['// Generated by native-headers/structgen.py from the field list there; do not edit by hand.',
            'package io.tunctl.core.natives.%s;' % package, '']
    head += ['import %s;' % i for i in sorted(set(imports))]
    head += ['']
    head += ['import static %s;' % s for s in sorted(set(statics))]
    head += ['', '/**']
    head += [' * ' + l if l else ' *' for l in a.doc.strip('\n').split('\n')]
    head += [' */', '@SuppressWarnings({"unused", "checkstyle:TypeName", "checkstyle:MethodName"})',
             'public final class %s {' % a.name]
    return '\n'.join(head) + '\n' + body + '\n}\n'


def c_snippet(header, cdecl_lines):
    return 'From {@code %s}:\n{@snippet lang=c :\n%s\n}' % (header, '\n'.join(cdecl_lines))


def fields_snippet(kind, cname, fields):
    lines = ['%s %s {' % (kind, cname)]
    lines += ['    %s;' % f[2] for f in fields]
    lines.append('};')
    return lines


# ------------------------------------------------------------------------------------------------------ Darwin
# Darwin LP64 (x86_64 and arm64 agree on these): XNU bsd/sys/kern_control.h, bsd/net/if.h, bsd/net/route.h,
# bsd/netinet/in.h, bsd/netinet6/in6.h, bsd/netinet6/in6_var.h, bsd/net/if_dl.h, bsd/sys/uio.h, bsd/sys/poll.h.

DARWIN = [
    ('ctl_info', 'struct', 'sys/kern_control.h', 'The argument of {@code CTLIOCGINFO}: a kernel control\'s name in, its id out.', [
        ('ctl_id', 'u32', 'u_int32_t ctl_id'),
        ('ctl_name', ('array', 96, 'u8'), 'char ctl_name[MAX_KCTL_NAME]'),
    ]),
    ('sockaddr_ctl', 'struct', 'sys/kern_control.h', 'The address a {@code PF_SYSTEM} control socket connects to; {@code sc_unit} 0 lets the kernel pick\n(for utun: unit N is {@code utun(N-1)}).', [
        ('sc_len', 'u8', 'u_char sc_len'),
        ('sc_family', 'u8', 'u_char sc_family'),
        ('ss_sysaddr', 'u16', 'u_int16_t ss_sysaddr'),
        ('sc_id', 'u32', 'u_int32_t sc_id'),
        ('sc_unit', 'u32', 'u_int32_t sc_unit'),
        ('sc_reserved', ('array', 5, 'u32'), 'u_int32_t sc_reserved[5]'),
    ]),
    ('sockaddr', 'struct', 'sys/socket.h', 'The generic socket address (BSD: with a length byte).', [
        ('sa_len', 'u8', '__uint8_t sa_len'),
        ('sa_family', 'u8', 'sa_family_t sa_family'),
        ('sa_data', ('array', 14, 'u8'), 'char sa_data[14]'),
    ]),
    ('sockaddr_in', 'struct', 'netinet/in.h', 'An IPv4 socket address; {@code sin_port} and {@code sin_addr} are in network byte order.', [
        ('sin_len', 'u8', '__uint8_t sin_len'),
        ('sin_family', 'u8', 'sa_family_t sin_family'),
        ('sin_port', 'u16', 'in_port_t sin_port'),
        ('sin_addr', 'u32', 'struct in_addr sin_addr'),
        ('sin_zero', ('array', 8, 'u8'), 'char sin_zero[8]'),
    ]),
    ('sockaddr_in6', 'struct', 'netinet6/in6.h', 'An IPv6 socket address.', [
        ('sin6_len', 'u8', '__uint8_t sin6_len'),
        ('sin6_family', 'u8', 'sa_family_t sin6_family'),
        ('sin6_port', 'u16', 'in_port_t sin6_port'),
        ('sin6_flowinfo', 'u32', '__uint32_t sin6_flowinfo'),
        ('sin6_addr', ('array', 16, 'u8'), 'struct in6_addr sin6_addr'),
        ('sin6_scope_id', 'u32', '__uint32_t sin6_scope_id'),
    ]),
    ('sockaddr_dl', 'struct', 'net/if_dl.h', 'A link-level address; routing messages name an interface with one ({@code sdl_index}).', [
        ('sdl_len', 'u8', 'u_char sdl_len'),
        ('sdl_family', 'u8', 'u_char sdl_family'),
        ('sdl_index', 'u16', 'u_short sdl_index'),
        ('sdl_type', 'u8', 'u_char sdl_type'),
        ('sdl_nlen', 'u8', 'u_char sdl_nlen'),
        ('sdl_alen', 'u8', 'u_char sdl_alen'),
        ('sdl_slen', 'u8', 'u_char sdl_slen'),
        ('sdl_data', ('array', 12, 'u8'), 'char sdl_data[12]'),
    ]),
    ('ifreq', 'struct', 'net/if.h', 'The interface request of {@code SIOCSIFMTU}, {@code SIOCGIFMTU} and {@code SIOCDIFADDR}.\nOnly the union members tunctl uses are bound; {@code ifru_addr} sets its size.', [
        ('ifr_name', ('array', 16, 'u8'), 'char ifr_name[IFNAMSIZ]'),
        ('ifr_ifru', ('union', 'ifr_ifru', [
            ('ifru_addr', ('struct', 'sockaddr'), 'struct sockaddr ifru_addr'),
            ('ifru_flags', 'u16', 'short ifru_flags'),
            ('ifru_metric', 'u32', 'int ifru_metric'),
            ('ifru_mtu', 'u32', 'int ifru_mtu'),
            ('ifru_data', 'ptr', 'caddr_t ifru_data'),
        ]), 'union { ... } ifr_ifru'),
    ]),
    ('ifaliasreq', 'struct', 'net/if.h', 'The argument of {@code SIOCAIFADDR}: an IPv4 address, the peer ("broadcast") address and the mask.', [
        ('ifra_name', ('array', 16, 'u8'), 'char ifra_name[IFNAMSIZ]'),
        ('ifra_addr', ('struct', 'sockaddr'), 'struct sockaddr ifra_addr'),
        ('ifra_broadaddr', ('struct', 'sockaddr'), 'struct sockaddr ifra_broadaddr'),
        ('ifra_mask', ('struct', 'sockaddr'), 'struct sockaddr ifra_mask'),
    ]),
    ('in6_addrlifetime', 'struct', 'netinet6/in6_var.h', 'Lifetimes of an IPv6 address; {@code ND6_INFINITE_LIFETIME} for a static one.', [
        ('ia6t_expire', 'u64', 'time_t ia6t_expire'),
        ('ia6t_preferred', 'u64', 'time_t ia6t_preferred'),
        ('ia6t_vltime', 'u32', 'u_int32_t ia6t_vltime'),
        ('ia6t_pltime', 'u32', 'u_int32_t ia6t_pltime'),
    ]),
    ('in6_aliasreq', 'struct', 'netinet6/in6_var.h', 'The argument of {@code SIOCAIFADDR_IN6}.', [
        ('ifra_name', ('array', 16, 'u8'), 'char ifra_name[IFNAMSIZ]'),
        ('ifra_addr', ('struct', 'sockaddr_in6'), 'struct sockaddr_in6 ifra_addr'),
        ('ifra_dstaddr', ('struct', 'sockaddr_in6'), 'struct sockaddr_in6 ifra_dstaddr'),
        ('ifra_prefixmask', ('struct', 'sockaddr_in6'), 'struct sockaddr_in6 ifra_prefixmask'),
        ('ifra_flags', 'u32', 'int ifra_flags'),
        ('ifra_lifetime', ('struct', 'in6_addrlifetime'), 'struct in6_addrlifetime ifra_lifetime'),
    ]),
    ('in6_ifreq', 'struct', 'netinet6/in6_var.h', 'The argument of {@code SIOCDIFADDR_IN6}. Only {@code ifru_addr} is bound; the ICMPv6 statistics\nmember ({@code struct icmp6_ifstat}, 34 counters) sets the union\'s size.', [
        ('ifr_name', ('array', 16, 'u8'), 'char ifr_name[IFNAMSIZ]'),
        ('ifr_ifru', ('union', 'ifr_ifru', [
            ('ifru_addr', ('struct', 'sockaddr_in6'), 'struct sockaddr_in6 ifru_addr'),
            ('ifru_icmp6stat', ('array', 34, 'u64'), 'struct icmp6_ifstat ifru_icmp6stat'),
        ]), 'union { ... } ifr_ifru'),
    ]),
    ('rt_metrics', 'struct', 'net/route.h', 'Route metrics carried in every routing message.', [
        ('rmx_locks', 'u32', 'u_int32_t rmx_locks'),
        ('rmx_mtu', 'u32', 'u_int32_t rmx_mtu'),
        ('rmx_hopcount', 'u32', 'u_int32_t rmx_hopcount'),
        ('rmx_expire', 'u32', 'int32_t rmx_expire'),
        ('rmx_recvpipe', 'u32', 'u_int32_t rmx_recvpipe'),
        ('rmx_sendpipe', 'u32', 'u_int32_t rmx_sendpipe'),
        ('rmx_ssthresh', 'u32', 'u_int32_t rmx_ssthresh'),
        ('rmx_rtt', 'u32', 'u_int32_t rmx_rtt'),
        ('rmx_rttvar', 'u32', 'u_int32_t rmx_rttvar'),
        ('rmx_pksent', 'u32', 'u_int32_t rmx_pksent'),
        ('rmx_state', 'u32', 'u_int32_t rmx_state'),
        ('rmx_filler', ('array', 3, 'u32'), 'u_int32_t rmx_filler[3]'),
    ]),
    ('rt_msghdr', 'struct', 'net/route.h', 'The header of a {@code PF_ROUTE} message; the sockaddrs named by {@code rtm_addrs} follow it,\neach padded to 4 bytes.', [
        ('rtm_msglen', 'u16', 'u_short rtm_msglen'),
        ('rtm_version', 'u8', 'u_char rtm_version'),
        ('rtm_type', 'u8', 'u_char rtm_type'),
        ('rtm_index', 'u16', 'u_short rtm_index'),
        ('rtm_flags', 'u32', 'int rtm_flags'),
        ('rtm_addrs', 'u32', 'int rtm_addrs'),
        ('rtm_pid', 'u32', 'pid_t rtm_pid'),
        ('rtm_seq', 'u32', 'int rtm_seq'),
        ('rtm_errno', 'u32', 'int rtm_errno'),
        ('rtm_use', 'u32', 'int rtm_use'),
        ('rtm_inits', 'u32', 'u_int32_t rtm_inits'),
        ('rtm_rmx', ('struct', 'rt_metrics'), 'struct rt_metrics rtm_rmx'),
    ]),
    ('pollfd', 'struct', 'poll.h', 'One descriptor for {@code poll(2)}.', [
        ('fd', 'u32', 'int fd'),
        ('events', 'u16', 'short events'),
        ('revents', 'u16', 'short revents'),
    ]),
    ('iovec', 'struct', 'sys/uio.h', 'One buffer of a {@code readv(2)}/{@code writev(2)}.', [
        ('iov_base', 'ptr', 'void *iov_base'),
        ('iov_len', 'u64', 'size_t iov_len'),
    ]),
]

# ----------------------------------------------------------------------------------------------------- Windows
# Windows x64 (LLP64): ws2def.h, ws2ipdef.h, inaddr.h, in6addr.h, ifdef.h, netioapi.h, guiddef.h.

WINDOWS = [
    ('GUID', 'struct', 'guiddef.h', 'A GUID, e.g. the one a Wintun adapter is created with.', [
        ('Data1', 'u32', 'unsigned long Data1'),
        ('Data2', 'u16', 'unsigned short Data2'),
        ('Data3', 'u16', 'unsigned short Data3'),
        ('Data4', ('array', 8, 'u8'), 'unsigned char Data4[8]'),
    ]),
    ('NET_LUID', 'union', 'ifdef.h', 'A network interface\'s locally unique id. Only {@code Value} is bound (the {@code Info} bit-fields\nshare its 8 bytes).', [
        ('Value', 'u64', 'ULONG64 Value'),
    ]),
    ('SOCKADDR_IN', 'struct', 'ws2def.h', 'An IPv4 socket address ({@code sockaddr_in}); port and address in network byte order.', [
        ('sin_family', 'u16', 'ADDRESS_FAMILY sin_family'),
        ('sin_port', 'u16', 'USHORT sin_port'),
        ('sin_addr', 'u32', 'IN_ADDR sin_addr'),
        ('sin_zero', ('array', 8, 'u8'), 'CHAR sin_zero[8]'),
    ]),
    ('SOCKADDR_IN6', 'struct', 'ws2ipdef.h', 'An IPv6 socket address ({@code sockaddr_in6}).', [
        ('sin6_family', 'u16', 'ADDRESS_FAMILY sin6_family'),
        ('sin6_port', 'u16', 'USHORT sin6_port'),
        ('sin6_flowinfo', 'u32', 'ULONG sin6_flowinfo'),
        ('sin6_addr', ('array', 16, 'u8'), 'IN6_ADDR sin6_addr'),
        ('sin6_scope_id', 'u32', 'ULONG sin6_scope_id'),
    ]),
    ('SOCKADDR_INET', 'union', 'ws2ipdef.h', 'An IPv4 or IPv6 address, told apart by {@code si_family}.', [
        ('Ipv4', ('struct', 'SOCKADDR_IN'), 'SOCKADDR_IN Ipv4'),
        ('Ipv6', ('struct', 'SOCKADDR_IN6'), 'SOCKADDR_IN6 Ipv6'),
        ('si_family', 'u16', 'ADDRESS_FAMILY si_family'),
    ]),
    ('IP_ADDRESS_PREFIX', 'struct', 'netioapi.h', 'An address prefix: address and length.', [
        ('Prefix', ('struct', 'SOCKADDR_INET'), 'SOCKADDR_INET Prefix'),
        ('PrefixLength', 'u8', 'UINT8 PrefixLength'),
    ]),
    ('MIB_UNICASTIPADDRESS_ROW', 'struct', 'netioapi.h', 'A unicast address on an interface: {@code CreateUnicastIpAddressEntry} adds one.', [
        ('Address', ('struct', 'SOCKADDR_INET'), 'SOCKADDR_INET Address'),
        ('InterfaceLuid', ('struct', 'NET_LUID'), 'NET_LUID InterfaceLuid'),
        ('InterfaceIndex', 'u32', 'NET_IFINDEX InterfaceIndex'),
        ('PrefixOrigin', 'u32', 'NL_PREFIX_ORIGIN PrefixOrigin'),
        ('SuffixOrigin', 'u32', 'NL_SUFFIX_ORIGIN SuffixOrigin'),
        ('ValidLifetime', 'u32', 'ULONG ValidLifetime'),
        ('PreferredLifetime', 'u32', 'ULONG PreferredLifetime'),
        ('OnLinkPrefixLength', 'u8', 'UINT8 OnLinkPrefixLength'),
        ('SkipAsSource', 'u8', 'BOOLEAN SkipAsSource'),
        ('DadState', 'u32', 'NL_DAD_STATE DadState'),
        ('ScopeId', 'u32', 'SCOPE_ID ScopeId'),
        ('CreationTimeStamp', 'u64', 'LARGE_INTEGER CreationTimeStamp'),
    ]),
    ('MIB_IPFORWARD_ROW2', 'struct', 'netioapi.h', 'A route: {@code CreateIpForwardEntry2} adds one.', [
        ('InterfaceLuid', ('struct', 'NET_LUID'), 'NET_LUID InterfaceLuid'),
        ('InterfaceIndex', 'u32', 'NET_IFINDEX InterfaceIndex'),
        ('DestinationPrefix', ('struct', 'IP_ADDRESS_PREFIX'), 'IP_ADDRESS_PREFIX DestinationPrefix'),
        ('NextHop', ('struct', 'SOCKADDR_INET'), 'SOCKADDR_INET NextHop'),
        ('SitePrefixLength', 'u8', 'UCHAR SitePrefixLength'),
        ('ValidLifetime', 'u32', 'ULONG ValidLifetime'),
        ('PreferredLifetime', 'u32', 'ULONG PreferredLifetime'),
        ('Metric', 'u32', 'ULONG Metric'),
        ('Protocol', 'u32', 'NL_ROUTE_PROTOCOL Protocol'),
        ('Loopback', 'u8', 'BOOLEAN Loopback'),
        ('AutoconfigureAddress', 'u8', 'BOOLEAN AutoconfigureAddress'),
        ('Publish', 'u8', 'BOOLEAN Publish'),
        ('Immortal', 'u8', 'BOOLEAN Immortal'),
        ('Age', 'u32', 'ULONG Age'),
        ('Origin', 'u32', 'NL_ROUTE_ORIGIN Origin'),
    ]),
    ('MIB_IPINTERFACE_ROW', 'struct', 'netioapi.h', 'An interface\'s per-family IP settings: {@code GetIpInterfaceEntry} reads them,\n{@code SetIpInterfaceEntry} writes them (MTU in {@code NlMtu}, metric).', [
        ('Family', 'u16', 'ADDRESS_FAMILY Family'),
        ('InterfaceLuid', ('struct', 'NET_LUID'), 'NET_LUID InterfaceLuid'),
        ('InterfaceIndex', 'u32', 'NET_IFINDEX InterfaceIndex'),
        ('MaxReassemblySize', 'u32', 'ULONG MaxReassemblySize'),
        ('InterfaceIdentifier', 'u64', 'ULONG64 InterfaceIdentifier'),
        ('MinRouterAdvertisementInterval', 'u32', 'ULONG MinRouterAdvertisementInterval'),
        ('MaxRouterAdvertisementInterval', 'u32', 'ULONG MaxRouterAdvertisementInterval'),
        ('AdvertisingEnabled', 'u8', 'BOOLEAN AdvertisingEnabled'),
        ('ForwardingEnabled', 'u8', 'BOOLEAN ForwardingEnabled'),
        ('WeakHostSend', 'u8', 'BOOLEAN WeakHostSend'),
        ('WeakHostReceive', 'u8', 'BOOLEAN WeakHostReceive'),
        ('UseAutomaticMetric', 'u8', 'BOOLEAN UseAutomaticMetric'),
        ('UseNeighborUnreachabilityDetection', 'u8', 'BOOLEAN UseNeighborUnreachabilityDetection'),
        ('ManagedAddressConfigurationSupported', 'u8', 'BOOLEAN ManagedAddressConfigurationSupported'),
        ('OtherStatefulConfigurationSupported', 'u8', 'BOOLEAN OtherStatefulConfigurationSupported'),
        ('AdvertiseDefaultRoute', 'u8', 'BOOLEAN AdvertiseDefaultRoute'),
        ('RouterDiscoveryBehavior', 'u32', 'NL_ROUTER_DISCOVERY_BEHAVIOR RouterDiscoveryBehavior'),
        ('DadTransmits', 'u32', 'ULONG DadTransmits'),
        ('BaseReachableTime', 'u32', 'ULONG BaseReachableTime'),
        ('RetransmitTime', 'u32', 'ULONG RetransmitTime'),
        ('PathMtuDiscoveryTimeout', 'u32', 'ULONG PathMtuDiscoveryTimeout'),
        ('LinkLocalAddressBehavior', 'u32', 'NL_LINK_LOCAL_ADDRESS_BEHAVIOR LinkLocalAddressBehavior'),
        ('LinkLocalAddressTimeout', 'u32', 'ULONG LinkLocalAddressTimeout'),
        ('ZoneIndices', ('array', 16, 'u32'), 'ULONG ZoneIndices[ScopeLevelCount]'),
        ('SitePrefixLength', 'u32', 'ULONG SitePrefixLength'),
        ('Metric', 'u32', 'ULONG Metric'),
        ('NlMtu', 'u32', 'ULONG NlMtu'),
        ('Connected', 'u8', 'BOOLEAN Connected'),
        ('SupportsWakeUpPatterns', 'u8', 'BOOLEAN SupportsWakeUpPatterns'),
        ('SupportsNeighborDiscovery', 'u8', 'BOOLEAN SupportsNeighborDiscovery'),
        ('SupportsRouterDiscovery', 'u8', 'BOOLEAN SupportsRouterDiscovery'),
        ('ReachableTime', 'u32', 'ULONG ReachableTime'),
        ('TransmitOffload', 'u8', 'NL_INTERFACE_OFFLOAD_ROD TransmitOffload'),
        ('ReceiveOffload', 'u8', 'NL_INTERFACE_OFFLOAD_ROD ReceiveOffload'),
        ('DisableDefaultRoutes', 'u8', 'BOOLEAN DisableDefaultRoutes'),
    ]),
]

# ------------------------------------------------------------------------------------------------------- Linux
# io_uring (include/uapi/linux/io_uring.h). Anonymous unions of io_uring_sqe are bound by the one member tunctl
# uses each (off, addr, rw_flags, buf_group, splice_fd_in, addr3): offsetof() reaches them through the union, so
# the gcc layout check (LayoutCheckTest) compares them like any field.

LINUX = [
    ('io_sqring_offsets', 'struct', 'linux/io_uring.h', 'Offsets of the submission ring\'s fields in its mapping, filled in by {@code io_uring_setup}.', [
        ('head', 'u32', '__u32 head'),
        ('tail', 'u32', '__u32 tail'),
        ('ring_mask', 'u32', '__u32 ring_mask'),
        ('ring_entries', 'u32', '__u32 ring_entries'),
        ('flags', 'u32', '__u32 flags'),
        ('dropped', 'u32', '__u32 dropped'),
        ('array', 'u32', '__u32 array'),
        ('resv1', 'u32', '__u32 resv1'),
        ('resv2', 'u64', '__u64 resv2'),
    ]),
    ('io_cqring_offsets', 'struct', 'linux/io_uring.h', 'Offsets of the completion ring\'s fields in its mapping, filled in by {@code io_uring_setup}.', [
        ('head', 'u32', '__u32 head'),
        ('tail', 'u32', '__u32 tail'),
        ('ring_mask', 'u32', '__u32 ring_mask'),
        ('ring_entries', 'u32', '__u32 ring_entries'),
        ('overflow', 'u32', '__u32 overflow'),
        ('cqes', 'u32', '__u32 cqes'),
        ('flags', 'u32', '__u32 flags'),
        ('resv1', 'u32', '__u32 resv1'),
        ('resv2', 'u64', '__u64 resv2'),
    ]),
    ('io_uring_params', 'struct', 'linux/io_uring.h', 'In: setup flags; out: ring sizes, features and the ring offsets.', [
        ('sq_entries', 'u32', '__u32 sq_entries'),
        ('cq_entries', 'u32', '__u32 cq_entries'),
        ('flags', 'u32', '__u32 flags'),
        ('sq_thread_cpu', 'u32', '__u32 sq_thread_cpu'),
        ('sq_thread_idle', 'u32', '__u32 sq_thread_idle'),
        ('features', 'u32', '__u32 features'),
        ('wq_fd', 'u32', '__u32 wq_fd'),
        ('resv', ('array', 3, 'u32'), '__u32 resv[3]'),
        ('sq_off', ('struct', 'io_sqring_offsets'), 'struct io_sqring_offsets sq_off'),
        ('cq_off', ('struct', 'io_cqring_offsets'), 'struct io_cqring_offsets cq_off'),
    ]),
    ('io_uring_sqe', 'struct', 'linux/io_uring.h', 'A submission queue entry (64 bytes). Unions are bound by the member tunctl uses.', [
        ('opcode', 'u8', '__u8 opcode'),
        ('flags', 'u8', '__u8 flags'),
        ('ioprio', 'u16', '__u16 ioprio'),
        ('fd', 'u32', '__s32 fd'),
        ('off', 'u64', 'union { __u64 off; ... }'),
        ('addr', 'u64', 'union { __u64 addr; ... }'),
        ('len', 'u32', '__u32 len'),
        ('rw_flags', 'u32', 'union { __u32 rw_flags; ... }'),
        ('user_data', 'u64', '__u64 user_data'),
        ('buf_group', 'u16', 'union { __u16 buf_index; __u16 buf_group; } __attribute__((packed))'),
        ('personality', 'u16', '__u16 personality'),
        ('splice_fd_in', 'u32', 'union { __s32 splice_fd_in; ... }'),
        ('addr3', 'u64', 'union { struct { __u64 addr3; __u64 __pad2[1]; }; ... }'),
        ('__pad2', ('array', 1, 'u64'), '__u64 __pad2[1]'),
    ]),
    ('io_uring_cqe', 'struct', 'linux/io_uring.h', 'A completion queue entry (16 bytes without IORING_SETUP_CQE32).', [
        ('user_data', 'u64', '__u64 user_data'),
        ('res', 'u32', '__s32 res'),
        ('flags', 'u32', '__u32 flags'),
    ]),
    ('io_uring_buf', 'struct', 'linux/io_uring.h', 'One entry of a provided-buffer ring; the ring\'s tail overlays {@code resv} of entry 0.', [
        ('addr', 'u64', '__u64 addr'),
        ('len', 'u32', '__u32 len'),
        ('bid', 'u16', '__u16 bid'),
        ('resv', 'u16', '__u16 resv'),
    ]),
    ('io_uring_buf_reg', 'struct', 'linux/io_uring.h', 'The argument of {@code IORING_REGISTER_PBUF_RING}.', [
        ('ring_addr', 'u64', '__u64 ring_addr'),
        ('ring_entries', 'u32', '__u32 ring_entries'),
        ('bgid', 'u16', '__u16 bgid'),
        ('pad', 'u16', '__u16 pad'),
        ('resv', ('array', 3, 'u64'), '__u64 resv[3]'),
    ]),
    ('io_uring_probe_op', 'struct', 'linux/io_uring.h', 'One opcode of an {@code IORING_REGISTER_PROBE} answer.', [
        ('op', 'u8', '__u8 op'),
        ('resv', 'u8', '__u8 resv'),
        ('flags', 'u16', '__u16 flags'),
        ('resv2', 'u32', '__u32 resv2'),
    ]),
    ('io_uring_probe', 'struct', 'linux/io_uring.h', 'The head of an {@code IORING_REGISTER_PROBE} answer; {@code ops_len} {@link io_uring_probe_op}s follow it\n(the flexible array {@code ops[]} is not part of the layout).', [
        ('last_op', 'u8', '__u8 last_op'),
        ('ops_len', 'u8', '__u8 ops_len'),
        ('resv', 'u16', '__u16 resv'),
        ('resv2', ('array', 3, 'u32'), '__u32 resv2[3]'),
    ]),
]


def build(package, specs):
    registry = {}
    for name, kind, header, text, fields in specs:
        cname = ('struct ' if kind == 'struct' else 'union ') + name
        snippet = c_snippet(header, fields_snippet(kind, name, fields))
        a = Agg(name, kind, fields, text + ' ' + snippet, cname, registry)
        registry[name] = a
        path = os.path.join(JAVA, package, name + '.java')
        with open(path, 'w') as f:
            f.write(emit(package, a))
        print('%-28s %-7s size %4d align %d -> %s' % (name, kind, a.size, a.align, os.path.relpath(path, ROOT)))


if __name__ == '__main__':
    specs = {'darwin': DARWIN, 'windows': WINDOWS, 'linux': LINUX}
    for pkg in sys.argv[1:] or list(specs):
        os.makedirs(os.path.join(JAVA, pkg), exist_ok=True)
        build(pkg, specs[pkg])
