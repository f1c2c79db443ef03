"""tools/synth.py parsing and reporting on canned Yosys output (no Yosys run)."""

import json

from tools import synth

MEM_DUMP = r"""
  attribute \src "src/sdp_ram.v:17.21-17.24"
  cell $mem_v2 $flatten\u_core.\u_a_buf.$meminit$mem
    parameter \ABITS 13
    parameter \INIT 524288'x
    parameter \MEMID "\\u_core.u_a_buf.mem"
    parameter \OFFSET 0
    parameter \RD_ARST_VALUE 64'x
    parameter \RD_CLK_ENABLE 1'1
    parameter \RD_PORTS 1
    parameter \SIZE 8192
    parameter \WIDTH 64
    parameter \WR_PORTS 1
    connect \RD_DATA \u_core.a_rd_data
  end
  cell $mem_v2 $auto$mem.cc:1$2
    parameter \MEMID "\\u_ctrl.run_len"
    parameter \RD_CLK_ENABLE 2'01
    parameter \RD_PORTS 2
    parameter \SIZE 1024
    parameter \WIDTH 16
    parameter \WR_PORTS 1
  end
"""

FF_DUMP = r"""
  cell $sdffe $auto$ff.cc:337:slice$14321
    parameter \CLK_POLARITY 1'1
    parameter \WIDTH 32
    connect \D \u_csr.r_m [31:16]
    connect \Q { \u_csr.r_m [31:16] \u_csr.r_m [15:0] }
  end
  cell $dff $flatten\u_core.$procdff$1
    parameter \WIDTH 8
    connect \Q \u_core.u_array.g_skew_row[1].a_d[1]
  end
  cell $dff $auto$x$2
    parameter \WIDTH 3
    connect \Q $auto$wire$9
  end
  cell $dff $auto$x$3
    parameter \WIDTH 1
    connect \Q \irq_q
  end
"""

GENERIC_STAT = {
    "modules": {
        "\\csai_chip": {
            "num_cells": 10,
            "num_cells_by_type": {
                "$_AND_": 3,
                "$_XOR_": 2,
                "$_DFF_P_": 1,
                "$_SDFFE_PP0P_": 2,
                "$_DFFE_PN_": 1,
                "$mem_v2": 1,
                "$scopeinfo": 4,
            },
        }
    }
}

ECP5_STAT = {
    "modules": {
        "\\csai_chip": {
            "num_cells_by_type": {
                "LUT4": 100,
                "CCU2C": 10,
                "PFUMX": 5,
                "L6MUX21": 1,
                "TRELLIS_FF": 40,
                "DP16KD": 3,
                "MULT18X18D": 2,
                "TRELLIS_DPR16X4": 4,
            }
        }
    }
}

LOG = r"""
Warning: Replacing memory \g_skew_row[1].a_d with list of registers. See work/src/systolic_array.v:40
Warning: Replacing memory \g_skew_row[2].a_d with list of registers. See work/src/systolic_array.v:40
Warning: Replacing memory \g_skew_row[2].a_d with list of registers. See work/src/systolic_array.v:40
Warning: Replacing memory \hold with list of registers. See work/src/a_transposer.v:71
mapping memory csai_chip.u_core.u_a_buf.mem via $__DP16KD_
Extracted addr FF from read port 0 of csai_chip.u_ctrl.run_len: $\u_ctrl.run_len$rdreg[0]
mapping memory csai_chip.u_ctrl.run_len via $__TRELLIS_DPR16X4_
using FF mapping for memory csai_chip.u_transposer.fill
"""


def test_memories_from_dump():
    mems = synth.memories_from_dump(MEM_DUMP)
    assert [m["name"] for m in mems] == ["u_core.u_a_buf.mem", "u_ctrl.run_len"]
    assert mems[0] == {
        "name": "u_core.u_a_buf.mem",
        "width": 64,
        "depth": 8192,
        "bits": 524288,
        "rd_ports": 1,
        "wr_ports": 1,
        "async_rd": 0,
    }
    assert mems[1]["bits"] == 16384 and mems[1]["rd_ports"] == 2 and mems[1]["async_rd"] == 1


def test_ff_bits_by_block():
    assert synth.ff_bits_by_block(FF_DUMP) == {
        "u_csr": 32,
        "u_core": 8,
        "(unnamed)": 3,
        "csai_chip (top)": 1,
    }


def test_generic_figures():
    g = synth.generic_figures(GENERIC_STAT, MEM_DUMP, FF_DUMP)
    assert g["ff_bits"] == 4
    assert g["logic_gates"] == 5
    assert g["cells_total"] == 10  # $scopeinfo is not a cell of the netlist
    assert g["memories"] == 2
    assert g["memory_bits"] == 524288 + 16384
    assert "$scopeinfo" not in g["cells_by_type"]


def test_fpga_figures():
    f = synth.fpga_figures(ECP5_STAT)
    assert f["lut4"] == 120 and f["lut4_logic"] == 100 and f["carry_ccu2c"] == 10
    assert f["ff"] == 40
    assert f["bram_dp16kd"] == 3 and f["bram_bits"] == 3 * 18432
    assert f["dsp_mult18x18d"] == 2 and f["dsp_alu54b"] == 0
    assert f["lutram_dpr16x4"] == 4 and f["lutram_bits"] == 256
    assert f["wide_mux"] == 6


def test_log_parsing():
    regs = synth.registers_from_arrays(LOG)
    assert regs == [
        {"file": "rtl/a_transposer.v", "line": 71, "arrays": ["hold"]},
        {"file": "rtl/systolic_array.v", "line": 40, "arrays": ["g_skew_row[1].a_d", "g_skew_row[2].a_d"]},
    ]
    assert synth.fpga_memory_mapping(LOG) == {
        "u_core.u_a_buf.mem": "DP16KD",
        "u_ctrl.run_len": "TRELLIS_DPR16X4",
        "u_transposer.fill": "flip-flops",
    }


def test_inline_header_localparams():
    src = (
        "module f #(\n"
        "    parameter integer DEPTH = 16  // AW: not this one\n"
        ") (\n"
        "    output reg [AW:0] count,\n"
        "    input wire [B-1:0] x\n"
        ");\n"
        "    localparam integer AW = (DEPTH > 1) ? $clog2(DEPTH) : 1;\n"
        "    localparam integer B = AW + 1;\n"
        "    localparam [3:0] K = 4'd1;\n"
        "endmodule\n"
        "module g (input wire a);\n"
        "    localparam integer AW = 3;\n"
        "endmodule\n"
    )
    out, subs = synth.inline_header_localparams(src)
    assert "output reg [((DEPTH > 1) ? $clog2(DEPTH) : 1):0] count" in out
    assert "input wire [(((DEPTH > 1) ? $clog2(DEPTH) : 1) + 1)-1:0] x" in out
    assert "// AW: not this one" in out  # comments untouched
    assert subs == [("f", "AW"), ("f", "B")]
    assert out.count("\n") == src.count("\n")
    assert out.endswith("module g (input wire a);\n    localparam integer AW = 3;\nendmodule\n")


def test_report_writes_atomically(tmp_path):
    report = {
        "params": {"ARRAY_N": 8},
        "yosys_version": "0.70",
        "generic": synth.generic_figures(GENERIC_STAT, MEM_DUMP, FF_DUMP),
        "fpga": {**synth.fpga_figures(ECP5_STAT), "memory_mapping": synth.fpga_memory_mapping(LOG)},
        "arrays_as_registers": synth.registers_from_arrays(LOG),
        "header_localparam_workaround": [["sync_fifo", "AW"]],
        "runtime_s": {"generic": 1.0},
    }
    md = synth.render_markdown(report)
    assert "| flip-flop bits | 4 |" in md
    assert "| u_core.u_a_buf.mem | 64 | 8192 | 524,288 | 1 (0) | DP16KD |" in md
    assert "| block RAM (DP16KD, 18 Kbit) | 3 (55,296 bits) |" in md
    assert "sync_fifo.AW" in md
    synth.write_atomic(tmp_path / "area.json", json.dumps(report))
    assert json.loads((tmp_path / "area.json").read_text())["params"] == {"ARRAY_N": 8}
    assert [p.name for p in tmp_path.iterdir()] == ["area.json"]
