/*
 * The bundled demo firmware of vmapple-ts: it visibly exercises the board
 * (shared/spec/vmapple-hardware.md) and then powers off.
 * Runs at EL1 with the MMU off: every access is Device memory, so the code is
 * built with -mstrict-align and touches registers with explicit volatile loads.
 */
#include <stdint.h>

#define UART_BASE   0x20010000ul
#define RTC_BASE    0x20050000ul
#define CFG_BASE    0x00400000ul
#define BDIF_BASE   0x30000000ul
#define AES_BASE    0x30220000ul
#define ECAM_BASE   0x40000000ul
#define RAM_BASE    0x70000000ul

#define REG32(a) (*(volatile uint32_t *)(uintptr_t)(a))
#define REG64(a) (*(volatile uint64_t *)(uintptr_t)(a))
#define REG8(a)  (*(volatile uint8_t *)(uintptr_t)(a))

/* ---- console (PL011) ---- */
static void putc_(char c) {
    while (REG32(UART_BASE + 0x18) & (1u << 5)) { } /* UARTFR.TXFF */
    REG32(UART_BASE + 0x00) = (uint8_t)c;
}
static void puts_(const char *s) { while (*s) { if (*s == '\n') putc_('\r'); putc_(*s++); } }
static void puthex(uint64_t v, int digits) {
    for (int i = digits - 1; i >= 0; i--) putc_("0123456789abcdef"[(v >> (4 * i)) & 15]);
}
static void putdec(uint64_t v) {
    char buf[24]; int n = 0;
    do { buf[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n) putc_(buf[--n]);
}
static void put2(uint64_t v) { putc_((char)('0' + v / 10)); putc_((char)('0' + v % 10)); }
static void putstr_field(uintptr_t addr, int max) {
    putc_('"');
    for (int i = 0; i < max; i++) { char c = (char)REG8(addr + i); if (!c) break; putc_(c); }
    putc_('"');
}

/* ---- cfg region (spec §4, QEMU's compiled offsets) ---- */
static void show_cfg(void) {
    puts_("cfg: version "); putdec(REG32(CFG_BASE + 0x000));
    puts_(", cpus "); putdec(REG32(CFG_BASE + 0x004));
    puts_(", ram "); putdec(REG64(CFG_BASE + 0x020) >> 20); puts_(" MiB");
    puts_(", ecid 0x"); puthex(REG64(CFG_BASE + 0x018), 16);
    puts_("\ncfg: serial "); putstr_field(CFG_BASE + 0x500, 32);
    puts_(", model "); putstr_field(CFG_BASE + 0x540, 32);
    puts_(", soc "); putstr_field(CFG_BASE + 0x584, 32);
    puts_("\n");
}

/* ---- AES engine (spec §2) ---- */
static void aes_push(uint32_t w) { REG32(AES_BASE + 0x200) = w; }
static void aes_iv(void) { aes_push(0x20000000u); aes_push(0x03020100u); aes_push(0x07060504u); aes_push(0x0b0a0908u); aes_push(0x0f0e0d0cu); }
static void aes_data(uint64_t src, uint64_t dst, uint32_t len) {
    aes_push(0x50000000u | len);
    aes_push((uint32_t)(((src >> 32) & 0xffff) << 16 | ((dst >> 32) & 0xffff)));
    aes_push((uint32_t)src);
    aes_push((uint32_t)dst);
}
static int aes_flag_wait(uint32_t info) {
    aes_push(0x88000000u | info);
    if (!(REG32(AES_BASE + 0x018) & 0x20) || REG32(AES_BASE + 0x030) != info) return 0;
    REG32(AES_BASE + 0x018) = 0x20; /* W1C */
    return (REG32(AES_BASE + 0x018) & 0x20) == 0;
}
static void show_aes(void) {
    volatile uint8_t *plain = (volatile uint8_t *)(RAM_BASE + 0x10000);
    volatile uint8_t *cipher = (volatile uint8_t *)(RAM_BASE + 0x11000);
    volatile uint8_t *back = (volatile uint8_t *)(RAM_BASE + 0x12000);
    const char *msg = "vmapple-ts AES engine self test, 64 bytes of plain text here...";
    for (int i = 0; i < 64; i++) { plain[i] = (uint8_t)msg[i]; cipher[i] = 0; back[i] = 0; }
    /* KEY: slot 0, built-in key 1 (0x01 then 31 zero bytes), AES-256, encrypt, CBC */
    aes_push(0x11910000u); aes_iv(); aes_data(RAM_BASE + 0x10000, RAM_BASE + 0x11000, 64);
    int ok = aes_flag_wait(0x5a);
    /* the same key, decrypt */
    aes_push(0x11810000u); aes_iv(); aes_data(RAM_BASE + 0x11000, RAM_BASE + 0x12000, 64);
    ok = ok && aes_flag_wait(0xa5);
    int same = 1;
    for (int i = 0; i < 64; i++) if (back[i] != plain[i]) same = 0;
    puts_("aes: AES-256-CBC, built-in key 1, iv 000102..0f: ciphertext ");
    for (int i = 0; i < 16; i++) puthex(cipher[i], 2);
    puts_("...; decrypt ");
    puts_(ok && same ? "matches\n" : "FAILED\n");
}

/* ---- backdoor block interface (spec §3): read sector 0 of the root disk ---- */
static void show_bdif(void) {
    uintptr_t hdr = RAM_BASE + 0x20000, desc = RAM_BASE + 0x20100, status = RAM_BASE + 0x20200, data = RAM_BASE + 0x21000;
    for (int i = 0; i < 16; i++) REG8(hdr + i) = 0;
    REG32(hdr + 8) = 0; /* sector 0 */
    REG64(desc + 0x00) = hdr;    REG32(desc + 0x08) = 16;  REG32(desc + 0x0c) = 0;
    REG64(desc + 0x10) = data;   REG32(desc + 0x18) = 512; REG32(desc + 0x1c) = 0x00030001; /* READ */
    REG64(desc + 0x20) = status; REG32(desc + 0x28) = 1;   REG32(desc + 0x2c) = 0;
    REG8(status) = 0xff;
    REG32(BDIF_BASE + 0x408) = (uint32_t)desc; /* ROOT window, CMD */
    puts_("bdif: root sector 0: ");
    if (REG8(status) != 0) { puts_("read failed (status "); putdec(REG8(status)); puts_(")\n"); return; }
    putc_('"');
    for (int i = 0; i < 64; i++) {
        char c = (char)REG8(data + i);
        if (c == 0) break;
        putc_(c >= 32 && c < 127 ? c : '.');
    }
    puts_("\"\n");
}

/* ---- PCI functions on bus 0, from ECAM ---- */
static void show_pci(void) {
    for (uint32_t dev = 0; dev < 32; dev++) {
        for (uint32_t fn = 0; fn < 8; fn++) {
            uintptr_t cfg = ECAM_BASE + (dev << 15) + (fn << 12);
            uint32_t id = REG32(cfg);
            if (id == 0xffffffffu) { if (fn == 0) break; continue; }
            uint32_t cls = REG32(cfg + 8) >> 8;
            puts_("pci: 00:"); puthex(dev, 2); putc_('.'); putdec(fn);
            puts_(" "); puthex(id & 0xffff, 4); putc_(':'); puthex(id >> 16, 4);
            puts_(" class "); puthex(cls, 6); puts_("\n");
            if (fn == 0 && !(REG8(cfg + 0x0e) & 0x80)) break; /* not multi-function */
        }
    }
}

/* ---- PL031 RTC ---- */
static void show_rtc(void) {
    uint64_t t = REG32(RTC_BASE + 0x000);
    uint64_t days = t / 86400, secs = t % 86400;
    /* civil date from days since 1970-01-01 (proleptic Gregorian) */
    int64_t z = (int64_t)days + 719468;
    int64_t era = z / 146097;
    uint64_t doe = (uint64_t)(z - era * 146097);
    uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    uint64_t mp = (5 * doy + 2) / 153;
    uint64_t d = doy - (153 * mp + 2) / 5 + 1;
    uint64_t m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2) y++;
    puts_("rtc: "); putdec((uint64_t)y); putc_('-'); put2(m); putc_('-'); put2(d);
    putc_(' '); put2(secs / 3600); putc_(':'); put2(secs / 60 % 60); putc_(':'); put2(secs % 60);
    puts_(" UTC ("); putdec(t); puts_(")\n");
}

int main(void) {
    puts_("\nvmapple-ts demo firmware: hello from EL1\n");
    show_cfg();
    show_aes();
    show_bdif();
    show_pci();
    show_rtc();
    puts_("powering off via PSCI SYSTEM_OFF\n");
    return 0;
}
