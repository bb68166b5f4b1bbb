import { describe, expect, it } from 'vitest';
import { kenyanPhone, normaliseKenyanPhone } from '../src/lib/phone';

describe('Kenyan phone numbers', () => {
  it.each([
    ['0712345678', '254712345678'],
    ['0112345678', '254112345678'],
    ['+254712345678', '254712345678'],
    ['254712345678', '254712345678'],
    ['+254 712 345 678', '254712345678'],
    ['0712-345-678', '254712345678'],
    [' 0708 374 149 ', '254708374149'],
    ['254 110-123-456', '254110123456'],
  ])('normalises %j to %s', (input, expected) => {
    expect(normaliseKenyanPhone(input)).toBe(expected);
  });

  it.each([
    '',
    '712345678', // no prefix
    '0212345678', // landline
    '0812345678',
    '071234567', // too short
    '07123456789', // too long
    '+255712345678', // Tanzania
    '2540712345678',
    '+2547123456789',
    '0712 345 67a',
    '(0712) 345678',
    '0712.345.678',
  ])('rejects %j', (input) => {
    expect(normaliseKenyanPhone(input)).toBeNull();
  });

  it('validates and normalises through the zod schema', () => {
    expect(kenyanPhone.parse('0712 345 678')).toBe('254712345678');
    const result = kenyanPhone.safeParse('12345');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/Kenyan mobile number/);
    expect(kenyanPhone.safeParse(712345678).success).toBe(false);
  });
});
