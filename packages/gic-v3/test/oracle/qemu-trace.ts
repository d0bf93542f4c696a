/**
 * Converts a QEMU `-trace 'gicv3_*'` log into a compact event list, one event
 * per line: the GIC accesses the guest made, the input wire changes, and the
 * output levels QEMU computed. Used to record test/fixtures/linux-boot-2cpu.trace.gz.
 *
 *   DR off size data | DW off size data            distributor read (QEMU's value) / write
 *   RR cpu off size data | RW cpu off size data    redistributor of cpu
 *   DB off size                                    distributor read QEMU refused
 *   PPI cpu intid level | SPI intid level          input wires
 *   SR cpu NAME value | SW cpu NAME value          ICC_NAME_EL1 read (QEMU's value) / write
 *   SGI cpu intid irm targetlist                   ICC_SGI1R_EL1 write (Aff3.Aff2.Aff1 = 0)
 *   OUT cpu fiq irq                                QEMU's output levels after an update
 */
export function convertQemuTrace(text: string): string[] {
  const out: string[] = [];
  const num = (s: string) => BigInt(s).toString(16);
  for (const line of text.split('\n')) {
    let m: RegExpMatchArray | null;
    if ((m = line.match(/^gicv3_dist_(read|write) .*offset (0x[0-9a-f]+) data (0x[0-9a-f]+) size (\d)/))) {
      out.push(`${m[1] === 'read' ? 'DR' : 'DW'} ${num(m[2]!)} ${m[4]} ${num(m[3]!)}`);
    } else if ((m = line.match(/^gicv3_dist_badread .*offset (0x[0-9a-f]+) size (\d)/))) {
      out.push(`DB ${num(m[1]!)} ${m[2]}`);
    } else if ((m = line.match(/^gicv3_redist_(read|write) GICv3 redistributor (0x[0-9a-f]+) \w+: offset (0x[0-9a-f]+) data (0x[0-9a-f]+) size (\d)/))) {
      out.push(`${m[1] === 'read' ? 'RR' : 'RW'} ${Number(m[2])} ${num(m[3]!)} ${m[5]} ${num(m[4]!)}`);
    } else if ((m = line.match(/^gicv3_redist_set_irq GICv3 redistributor (0x[0-9a-f]+) interrupt (\d+) level changed to (\d)/))) {
      out.push(`PPI ${Number(m[1])} ${m[2]} ${m[3]}`);
    } else if ((m = line.match(/^gicv3_dist_set_irq .*interrupt (\d+) level changed to (\d)/))) {
      out.push(`SPI ${Number(m[1]) - 32} ${m[2]}`);
    } else if ((m = line.match(/^gicv3_icc_\w+ GICv3 ICC_(\w+) (read|write) cpu (0x[0-9a-f]+) value (0x[0-9a-f]+)/))) {
      out.push(`${m[2] === 'read' ? 'SR' : 'SW'} ${Number(m[3])} ${m[1]} ${num(m[4]!)}`);
    } else if ((m = line.match(/^gicv3_icc_generate_sgi GICv3 CPU i\/f (0x[0-9a-f]+) generating SGI (\d+) IRM (\d) .*targetlist (0x[0-9a-f]+)/))) {
      out.push(`SGI ${Number(m[1])} ${m[2]} ${m[3]} ${num(m[4]!)}`);
    } else if ((m = line.match(/^gicv3_cpuif_set_irqs GICv3 CPU i\/f (0x[0-9a-f]+) HPPI update: setting FIQ (\d) IRQ (\d)/))) {
      out.push(`OUT ${Number(m[1])} ${m[2]} ${m[3]}`);
    }
  }
  return out;
}
