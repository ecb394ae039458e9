package io.tunctl.cli;

import io.tunctl.core.packet.Cidr;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Lets options take {@code 198.51.100.1/24} or {@code 2001:db8::1/64}. */
final class CidrConverter implements ITypeConverter<Cidr> {
    @Override
    public Cidr convert(String value) {
        try {
            return Cidr.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
