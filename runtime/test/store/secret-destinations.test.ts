import { destinationAllowed, formatDestination, parseAllowList, parseDestination } from '../../src/store';

describe('secret destinations (host[:port])', () => {
  it('parses host names, addresses and bracketed IPv6, lower-cased, with an optional port', () => {
    expect(parseDestination('Broker.Plant:1883')).toEqual({ host: 'broker.plant', port: 1883 });
    expect(parseDestination('10.0.0.9')).toEqual({ host: '10.0.0.9' });
    expect(parseDestination('broker.plant.')).toEqual({ host: 'broker.plant' });
    expect(parseDestination('[FD00::5]:5432')).toEqual({ host: 'fd00::5', port: 5432 });
    expect(parseDestination(' localhost ')).toEqual({ host: 'localhost' });
    expect(formatDestination({ host: 'fd00::5', port: 5432 })).toBe('[fd00::5]:5432');
    expect(formatDestination({ host: 'broker.plant' })).toBe('broker.plant');
  });

  it('refuses what is not a host[:port], in plain words', () => {
    const reason = (entry: string) => parseDestination(entry);
    expect(reason('')).toBe('"" is not a host[:port] a secret may go to: it is empty');
    expect(reason('*.plant')).toBe(
      '"*.plant" is not a host[:port] a secret may go to: wildcards are not allowed; list each host',
    );
    expect(reason('mqtt://broker:1883')).toBe(
      '"mqtt://broker:1883" is not a host[:port] a secret may go to: give the host and port only, e.g. broker.plant:1883, not a URL',
    );
    expect(reason('broker:0')).toMatch(/the port must be a number from 1 to 65535 \(got "0"\)$/);
    expect(reason('broker:')).toMatch(/the port must be a number from 1 to 65535 \(got ""\)$/);
    expect(reason('fd00::5')).toMatch(/write an IPv6 address in brackets, e.g. \[fd00::5\]:5432$/);
    expect(reason('bad_host!')).toMatch(/"bad_host!" is not a host name or address$/);
    expect(() => parseAllowList(['ok:1', 'a b', 'x:99999'])).toThrow(
      /"a b" is not a host\[:port\].*; "x:99999" is not a host\[:port\]/,
    );
    expect(parseAllowList(['a:1', 'A:1', 'b'])).toEqual([{ host: 'a', port: 1 }, { host: 'b' }]);
  });

  it('matches the host exactly, whatever its case, and the port when the entry has one', () => {
    const allow = parseAllowList(['broker.plant:1883', '10.0.0.9', '[fd00::5]:5432']);
    expect(destinationAllowed(allow, { host: 'BROKER.plant', port: 1883 })).toBe(true);
    expect(destinationAllowed(allow, { host: 'broker.plant', port: 8883 })).toBe(false);
    expect(destinationAllowed(allow, { host: 'broker.plant' })).toBe(false);
    expect(destinationAllowed(allow, { host: 'evil.broker.plant', port: 1883 })).toBe(false);
    expect(destinationAllowed(allow, { host: 'broker.plant.evil', port: 1883 })).toBe(false);
    expect(destinationAllowed(allow, { host: '10.0.0.9', port: 5432 })).toBe(true);
    expect(destinationAllowed(allow, { host: '10.0.0.90', port: 5432 })).toBe(false);
    expect(destinationAllowed(allow, { host: '[fd00::5]', port: 5432 })).toBe(true);
    expect(destinationAllowed(allow, { host: 'fd00::5', port: 5433 })).toBe(false);
    // Names are not resolved: loopback by name is not loopback by address.
    expect(destinationAllowed(parseAllowList(['127.0.0.1']), { host: 'localhost', port: 1 })).toBe(false);
  });
});
