import { describe, expect, it } from 'vitest';
import {
  REDACTED,
  checkCafeSiteCode,
  checkCitizenId,
  checkUscc,
  computeCitizenIdCheckChar,
  computeOrgCodeCheckChar,
  computeUsccCheckChar,
  maskIdNumber,
  maskPersonName,
  maskPhone,
  redactText,
} from '../../src/modules/identity/identifiers.js';

const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

describe('checkUscc', () => {
  it('accepts the GB 32100-2015 example and computes its check by the weights', () => {
    // Worked by hand: 9·1 + 1·3 + 3·9 + 5·27 + 0·19 + 1·26 + 0·16 + 0·17 + M(21)·20 + 0·29 + 0·25
    //   + 0·13 + 1·8 + 0·24 + 0·10 + Y(30)·30 + 4·28 = 1640; 1640 mod 31 = 28; 31 − 28 = 3.
    const code = '91350100M000100Y43';
    let sum = 0;
    for (let i = 0; i < 17; i++) sum += USCC_ALPHABET.indexOf(code[i]!) * USCC_WEIGHTS[i]!;
    expect(sum).toBe(1640);
    expect(31 - (sum % 31)).toBe(3);
    expect(checkUscc(code)).toEqual({ raw: code, normalised: code, valid: true, orgCodeValid: true });
  });

  it.each([
    // [code, valid, orgCodeValid] — verified against the weights; the bureau's own organ code
    // passes the 18th-character check but its embedded organisation code 00360018-6 does not
    // (GB 11714 gives check 3): kept as found in the contracts.
    ['11350322003600186J', true, false],
    ['91350322MA31C7Q2XK', true, true],
    ['92350322MA2YB4L570', true, true],
    ['91350322MA8RT3KXXF', true, true],
  ])('contract example %s: valid=%s orgCodeValid=%s', (code, valid, orgCodeValid) => {
    const r = checkUscc(code);
    expect(r.valid).toBe(valid);
    expect(r.orgCodeValid).toBe(orgCodeValid);
    expect(r.reason).toBeUndefined();
  });

  it('detects the organisation-code check of the state organ code by hand', () => {
    // 0·3 + 0·7 + 3·9 + 6·10 + 0·5 + 0·8 + 1·4 + 8·2 = 107; 107 mod 11 = 8; 11 − 8 = 3 ≠ 6.
    expect(computeOrgCodeCheckChar('00360018')).toBe('3');
    // MA31C7Q2: M=22 A=10 Q=26 C=12 → 66+70+27+10+60+56+104+4 = 397; 397 mod 11 = 1; 11−1 = 10 → X.
    expect(computeOrgCodeCheckChar('MA31C7Q2')).toBe('X');
  });

  it('normalises lower case, inner and full-width spaces, and full-width characters', () => {
    expect(checkUscc('  91350322ma31c7q2xk\n')).toMatchObject({
      normalised: '91350322MA31C7Q2XK',
      valid: true,
    });
    expect(checkUscc('9135 0322 MA31 C7Q2 XK')).toMatchObject({
      normalised: '91350322MA31C7Q2XK',
      valid: true,
    });
    expect(checkUscc('９１３５０３２２ＭＡ３１Ｃ７Ｑ２ＸＫ　')).toMatchObject({
      normalised: '91350322MA31C7Q2XK',
      valid: true,
    });
    expect(checkUscc(' 91350322ma31c7q2xk').raw).toBe(' 91350322ma31c7q2xk');
  });

  it('reports each failure with a reason and never throws', () => {
    expect(checkUscc(null)).toEqual({
      raw: null,
      normalised: '',
      valid: false,
      orgCodeValid: false,
      reason: 'EMPTY',
    });
    expect(checkUscc(undefined).reason).toBe('EMPTY');
    expect(checkUscc('   ').reason).toBe('EMPTY');
    expect(checkUscc(12345 as unknown as string).reason).toBe('EMPTY');
    expect(checkUscc('91350322MA31C7Q2X').reason).toBe('LENGTH');
    expect(checkUscc('91350322MA31C7Q2XKK').reason).toBe('LENGTH');
    for (const bad of ['I', 'O', 'Z', 'S', 'V', '-']) {
      expect(checkUscc(`91350322MA31C7Q2X${bad}`).reason).toBe('CHARSET');
    }
    expect(checkUscc('91350322MA31C7Q2XA')).toMatchObject({
      valid: false,
      reason: 'CHECK_CHAR',
      orgCodeValid: true,
    });
    expect(checkUscc('91350322MA31C7Q3XK')).toMatchObject({
      valid: false,
      reason: 'CHECK_CHAR',
      orgCodeValid: false,
    });
  });

  it('detects every single-character substitution of a valid code', () => {
    const code = '91350322MA8RT3KXXF';
    for (let i = 0; i < 18; i++) {
      for (const c of USCC_ALPHABET) {
        if (c === code[i]) continue;
        const altered = code.slice(0, i) + c + code.slice(i + 1);
        expect(checkUscc(altered).valid, altered).toBe(false);
      }
    }
  });

  it('maps a check value of 31 to 0', () => {
    // Find a prefix whose sum is divisible by 31 by adjusting the last character.
    const base = '9135032200000000';
    const char = [...USCC_ALPHABET].find((c) => computeUsccCheckChar(base + c) === '0');
    expect(char).toBeDefined();
    expect(checkUscc(`${base}${char}0`).valid).toBe(true);
  });

  it('computeUsccCheckChar rejects bad input', () => {
    expect(() => computeUsccCheckChar('91350322MA31C7Q2')).toThrow(RangeError);
    expect(() => computeUsccCheckChar('91350322MA31C7Q2I')).toThrow(RangeError);
  });
});

describe('checkCitizenId', () => {
  const now = new Date('2026-11-20T02:00:00Z');

  it('accepts the GB 11643-1999 example 11010519491231002X', () => {
    // Σ = 1·7+1·9+0·10+1·5+0·8+5·4+1·2+9·1+4·6+9·3+1·7+2·9+3·10+1·5+0·8+0·4+2·2 = 167; 167 mod 11 = 2 → X.
    expect(computeCitizenIdCheckChar('11010519491231002')).toBe('X');
    expect(checkCitizenId('11010519491231002X', { now })).toEqual({
      raw: '11010519491231002X',
      normalised: '11010519491231002X',
      valid: true,
      upgradedFrom15: false,
      birthDate: '1949-12-31',
    });
  });

  it('accepts the other published example and the contract numbers', () => {
    expect(checkCitizenId('440524188001010014', { now }).valid).toBe(true);
    for (const id of [
      '350322198811093310',
      '350322200101015211',
      '350322197508124511',
      '350322199002280022',
      '35032219800101123X',
    ]) {
      expect(checkCitizenId(id, { now }), id).toMatchObject({ valid: true, normalised: id });
    }
  });

  it('normalises a trailing lower-case x and whitespace', () => {
    expect(checkCitizenId(' 1101 0519 4912 3100 2x ', { now })).toMatchObject({
      normalised: '11010519491231002X',
      valid: true,
    });
    expect(checkCitizenId('１１０１０５１９４９１２３１００２ｘ', { now }).normalised).toBe(
      '11010519491231002X',
    );
  });

  it('upgrades legacy 15-digit numbers', () => {
    expect(checkCitizenId('350322881109331', { now })).toEqual({
      raw: '350322881109331',
      normalised: '350322198811093310',
      valid: true,
      upgradedFrom15: true,
      birthDate: '1988-11-09',
    });
    expect(checkCitizenId('110105491231002', { now }).normalised).toBe('11010519491231002X');
    expect(checkCitizenId('350322881329331', { now })).toMatchObject({ valid: false, reason: 'BIRTH_DATE' });
    expect(checkCitizenId('35032288110933X', { now }).reason).toBe('CHARSET');
  });

  it('rejects impossible and future birth dates', () => {
    const withCheck = (first17: string): string => first17 + computeCitizenIdCheckChar(first17);
    expect(checkCitizenId(withCheck('35032219880230331'), { now }).reason).toBe('BIRTH_DATE'); // 30 Feb
    expect(checkCitizenId(withCheck('35032219890229331'), { now }).reason).toBe('BIRTH_DATE'); // not a leap year
    expect(checkCitizenId(withCheck('35032220000229331'), { now }).valid).toBe(true); // 2000 is
    expect(checkCitizenId(withCheck('35032219881309331'), { now }).reason).toBe('BIRTH_DATE'); // month 13
    expect(checkCitizenId(withCheck('35032217991231331'), { now }).reason).toBe('BIRTH_DATE'); // before 1800
    expect(checkCitizenId(withCheck('35032220261121331'), { now }).reason).toBe('BIRTH_DATE'); // tomorrow
    // 2026-11-20T17:00Z is already 21 November in Shanghai.
    const lateUtc = new Date('2026-11-20T17:00:00Z');
    expect(checkCitizenId(withCheck('35032220261121331'), { now: lateUtc }).valid).toBe(true);
    expect(checkCitizenId(withCheck('35032220261120331'), { now }).valid).toBe(true); // born today
  });

  it('reports each failure with a reason and never throws', () => {
    expect(checkCitizenId(null)).toEqual({
      raw: null,
      normalised: '',
      valid: false,
      reason: 'EMPTY',
      upgradedFrom15: false,
    });
    expect(checkCitizenId('').reason).toBe('EMPTY');
    expect(checkCitizenId('3503221988110933').reason).toBe('LENGTH');
    expect(checkCitizenId('3503221988110933101').reason).toBe('LENGTH');
    expect(checkCitizenId('35032219881109331A').reason).toBe('CHARSET');
    expect(checkCitizenId('3503221988110933X0').reason).toBe('CHARSET');
    expect(checkCitizenId('350322198811093311', { now })).toMatchObject({
      valid: false,
      reason: 'CHECK_CHAR',
      birthDate: '1988-11-09',
    });
    expect(checkCitizenId('11010519491231002Y').reason).toBe('CHARSET');
  });
});

describe('checkCafeSiteCode', () => {
  it('accepts the contract example and normalises spaces', () => {
    expect(checkCafeSiteCode('35032210000123')).toEqual({
      raw: '35032210000123',
      normalised: '35032210000123',
      valid: true,
    });
    expect(checkCafeSiteCode(' 350322 10 000123 ').valid).toBe(true);
  });

  it.each([
    [null, 'EMPTY'],
    ['', 'EMPTY'],
    ['3503221000012', 'LENGTH'],
    ['350322100001234', 'LENGTH'],
    ['3503221000012A', 'CHARSET'],
    ['00032210000123', 'REGION'],
    ['99032210000123', 'REGION'],
    ['35032220000123', 'TYPE_CODE'],
    ['35032201000123', 'TYPE_CODE'],
  ])('%s → %s', (code, reason) => {
    expect(checkCafeSiteCode(code)).toMatchObject({ valid: false, reason });
  });
});

describe('masking', () => {
  it('masks ID numbers keeping the first 6 and last 4', () => {
    expect(maskIdNumber('350322198811093310')).toBe('350322********3310');
    expect(maskIdNumber('35032219800101123X')).toBe('350322********123X');
    expect(maskIdNumber('350322881109331')).toBe('350322*****9331');
    expect(maskIdNumber('E12345678')).toBe('*****5678');
    expect(maskIdNumber('1234567')).toBe('*******');
    expect(maskIdNumber('')).toBe('');
  });

  it('masks phones', () => {
    expect(maskPhone('13800000000')).toBe('138****0000');
    expect(maskPhone('+86 138-1234-5678')).toBe('138****5678');
    expect(maskPhone('0594-7654321')).toBe('****-***4321');
    expect(maskPhone('(0594)76543210')).toBe('(****)****3210');
    expect(maskPhone('12345')).toBe('*****');
  });

  it('masks names keeping the first character', () => {
    expect(maskPersonName('张三')).toBe('张*');
    expect(maskPersonName('欧阳娜娜')).toBe('欧***');
    expect(maskPersonName(' 李 ')).toBe('*');
    expect(maskPersonName('𠮷野家')).toBe('𠮷**');
    expect(maskPersonName('')).toBe('');
  });
});

describe('redactText', () => {
  it('removes ID numbers, mobiles and landlines by default', () => {
    const text = '法定代表人赵六（身份证号350322198811093310），手机13800000000，座机0594-7654321。';
    expect(redactText(text)).toBe(
      `法定代表人赵六（身份证号${REDACTED}），手机${REDACTED}，座机${REDACTED}。`,
    );
  });

  it('masks instead when asked', () => {
    const text = '身份证35032219800101123x 电话 138 0000 0000，传真(0594)7654321';
    expect(redactText(text, { mode: 'mask' })).toBe(
      '身份证350322********123x 电话 138****0000，传真(****)***4321',
    );
  });

  it('catches IDs glued to letters, 15-digit IDs and formatted numbers', () => {
    expect(redactText('ID350322198811093310end')).toBe(`ID${REDACTED}end`);
    expect(redactText('旧证号350322881109331。')).toBe(`旧证号${REDACTED}。`);
    expect(redactText('+86-13912345678')).toBe(REDACTED);
    expect(redactText('电话：7654321；Tel 87654321')).toBe(`电话：${REDACTED}；Tel ${REDACTED}`);
    expect(redactText('0594-7654321转123')).toBe(REDACTED);
  });

  it('leaves USCCs, dates, timestamps and amounts alone', () => {
    const text =
      '统一社会信用代码91350322MA31C7Q2XK、92350322MA2YB4L570、11350322003600186J、91350100M000100Y43、' +
      '911100001000016854；2026-11-20T10:15:00+08:00；20261120101500；罚款5000元；场所35032210000123；' +
      '决定书仙公网行罚决字〔2026〕12号；hotel 2345678 rooms';
    expect(redactText(text)).toBe(text);
    expect(redactText(text, { mode: 'mask' })).toBe(text);
  });

  it('catches an 18-digit ID number with a wrong date when its check digit holds', () => {
    const first17 = '35032219881399331';
    const id = first17 + computeCitizenIdCheckChar(first17);
    expect(redactText(`号码${id}`)).toBe(`号码${REDACTED}`);
  });

  it('never leaves a canary ID or mobile in a mixed paragraph', () => {
    const canary = '350322198811093310';
    const text = `<p>当事人：赵六，${canary}</p><td>${canary}</td>联系：13800000000/0594 7654321`;
    const out = redactText(text);
    expect(out).not.toContain(canary);
    expect(out).not.toContain('13800000000');
    expect(out).not.toContain('7654321');
    expect(out).toContain('<p>当事人：赵六，');
  });
});
