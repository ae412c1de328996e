/**
 * Host load for `system_stats`: CPU from the delta of os.cpus() times between samples, memory from
 * total vs available, disk from statfs of the data dir's file system.
 */
import { cpus, freemem, totalmem } from 'node:os';
import { statfs } from 'node:fs/promises';

export interface SystemStats {
  cpu_percent: number;
  memory_percent: number;
  disk_percent: number;
}

const round = (n: number) => Math.round(n * 10) / 10;

function cpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const cpu of cpus()) {
    const t = cpu.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

export class StatsSampler {
  private last = cpuTimes();

  constructor(private readonly diskPath: string) {}

  async sample(): Promise<SystemStats> {
    const now = cpuTimes();
    const dTotal = now.total - this.last.total;
    const dIdle = now.idle - this.last.idle;
    this.last = now;
    const cpu = dTotal > 0 ? (1 - dIdle / dTotal) * 100 : 0;
    const memory = (1 - freemem() / totalmem()) * 100;
    let disk: number;
    try {
      const fs = await statfs(this.diskPath);
      disk = fs.blocks > 0 ? (1 - fs.bavail / fs.blocks) * 100 : 0;
    } catch {
      disk = 0; // statfs unsupported here: report no usage rather than fail the sample
    }
    return { cpu_percent: round(cpu), memory_percent: round(memory), disk_percent: round(disk) };
  }
}
