`default_nettype none
// Host register file: an AXI4-Lite slave (32-bit data, 4 KB window) holding the GEMM descriptor,
// the control bits and the status, and showing the controller's performance counters.
// Its length is the register map (generated constants, one decode arm per register) beside the
// AXI4-Lite channel logic; the two are one block because every access check reads both.
//
// The register map (offsets, fields, access types, reset values, error codes) has one source:
// rtl/regmap.json. The constants between the GENERATED markers below are written from it by
// tools/gen_regs.py (tests/test_regmap.py fails if they are stale); docs/registers.md is the
// same map in prose. tb/test_csr_regfile.py checks every register's behaviour against the JSON.
//
// Bus behaviour:
//   * AW and W are captured independently (either may arrive first, any number of cycles
//     apart); the write is performed once both are held and the B channel is free. BVALID and
//     RVALID are held until BREADY / RREADY. One write and one read are in flight at a time.
//   * a write to a read-only register -> BRESP = SLVERR, nothing changes, error WRITE_RO;
//     a write to an unmapped offset  -> BRESP = SLVERR, error BAD_REG_ADDR;
//     a read of an unmapped offset   -> RRESP = SLVERR, RDATA = 0, no side effect.
//   * WSTRB selects the bytes of rw fields; w1p / w1c bits act only on strobed lanes.
//   * CTRL.start while STATUS.busy (which also covers the cycle after an accepted start and the
//     cycle of the controller's done/err pulse) is dropped with error
//     START_WHILE_BUSY (BRESP stays OKAY: the rw bits of that write are applied).
//   * STATUS.error_code keeps the first error until cleared; in one cycle the controller's
//     error (err_set) wins over the register file's own.
//
// Controller contract: start_pulse is one cycle; the controller raises `busy` by the next cycle
// and latches the desc_* outputs at that point (writes during a run affect the next run).
// done_set / err_set are one-cycle pulses; the perf_* inputs are the controller's counters.
module csr_regfile #(
    parameter integer ARRAY_N   = 8,     // systolic array size, reported in HWCFG.array_n
    parameter integer BUS_W     = 64,    // AXI4 master data width in bits, HWCFG.bus_bytes = BUS_W/8
    parameter integer A_PANELS  = 4,     // row tiles per row block, HWCFG.a_panels
    parameter integer KMAX      = 2048,  // largest K, LIMITS.kmax
    parameter integer CHAIN_MAX = 4096,  // descriptors per START, LIMITS.chain_max
    parameter [31:0]  MEM_BYTES = 32'h0100_0000  // addressable memory, register MEM_BYTES
) (
    input  wire        clk,
    input  wire        rst,
    // AXI4-Lite slave: write address, write data, write response
    input  wire [11:0] s_axi_awaddr,
    input  wire        s_axi_awvalid,
    output wire        s_axi_awready,
    input  wire [31:0] s_axi_wdata,
    input  wire [3:0]  s_axi_wstrb,
    input  wire        s_axi_wvalid,
    output wire        s_axi_wready,
    output reg  [1:0]  s_axi_bresp,
    output reg         s_axi_bvalid,
    input  wire        s_axi_bready,
    // AXI4-Lite slave: read address, read data
    input  wire [11:0] s_axi_araddr,
    input  wire        s_axi_arvalid,
    output wire        s_axi_arready,
    output reg  [31:0] s_axi_rdata,
    output reg  [1:0]  s_axi_rresp,
    output reg         s_axi_rvalid,
    input  wire        s_axi_rready,
    // control to the controller (CTRL)
    output reg         start_pulse,       // one cycle per accepted CTRL.start
    output reg         soft_reset_pulse,  // one cycle per CTRL.soft_reset
    output wire        irq_enable,
    output wire        overlap_enable,
    output wire        chain_enable,
    output wire        read_bursts,     // CTRL.read_bursts: AXI read bursts (1) or single beats
    // GEMM descriptor (A_ADDR .. FLAGS)
    output wire [31:0] desc_a_addr,
    output wire [31:0] desc_b_addr,
    output wire [31:0] desc_c_addr,
    output wire [31:0] desc_bias_addr,
    output wire [31:0] desc_spmap_addr,
    output wire [31:0] desc_chain_addr,
    output wire [15:0] desc_m,
    output wire [15:0] desc_n,
    output wire [15:0] desc_k,
    output wire [31:0] desc_lda,
    output wire [31:0] desc_ldb,
    output wire [31:0] desc_ldc,
    output wire [31:0] desc_scale,
    output wire [5:0]  desc_shift,
    output wire [4:0]  desc_flags,        // 0 out_int8, 1 relu, 2 bias_en, 3 per_channel_scale, 4 block_sparse
    // status from the controller
    input  wire        busy,
    input  wire        done_set,          // pulse: sets STATUS.done
    input  wire        err_set,           // pulse: sets STATUS.error with err_code_in
    input  wire [7:0]  err_code_in,
    // performance counters from the controller
    input  wire [63:0] perf_cycles,
    input  wire [63:0] perf_compute,
    input  wire [63:0] perf_stall,
    input  wire [63:0] perf_bytes_rd,
    input  wire [63:0] perf_bytes_wr,
    input  wire [31:0] perf_tiles,
    input  wire [31:0] perf_tiles_skipped,
    // interrupt (level): irq_enable & (STATUS.done | STATUS.error)
    output wire        irq
);
    // The generated block lists the whole map; not every constant is used by the logic.
    /* verilator lint_off UNUSEDPARAM */
// ---- BEGIN GENERATED by tools/gen_regs.py from rtl/regmap.json: do not edit ----
// offsets (12-bit byte addresses)
localparam [11:0] A_ID                     = 12'h000;
localparam [11:0] A_VERSION                = 12'h004;
localparam [11:0] A_HWCFG                  = 12'h008;
localparam [11:0] A_MEM_BYTES              = 12'h00C;
localparam [11:0] A_CTRL                   = 12'h010;
localparam [11:0] A_STATUS                 = 12'h014;
localparam [11:0] A_IRQ_STATUS             = 12'h018;
localparam [11:0] A_LIMITS                 = 12'h01C;
localparam [11:0] A_A_ADDR                 = 12'h020;
localparam [11:0] A_B_ADDR                 = 12'h024;
localparam [11:0] A_C_ADDR                 = 12'h028;
localparam [11:0] A_BIAS_ADDR              = 12'h02C;
localparam [11:0] A_SPMAP_ADDR             = 12'h030;
localparam [11:0] A_CHAIN_ADDR             = 12'h034;
localparam [11:0] A_M                      = 12'h038;
localparam [11:0] A_N                      = 12'h03C;
localparam [11:0] A_K                      = 12'h040;
localparam [11:0] A_LDA                    = 12'h044;
localparam [11:0] A_LDB                    = 12'h048;
localparam [11:0] A_LDC                    = 12'h04C;
localparam [11:0] A_SCALE                  = 12'h050;
localparam [11:0] A_SHIFT                  = 12'h054;
localparam [11:0] A_FLAGS                  = 12'h058;
localparam [11:0] A_PERF_CYCLES_LO         = 12'h080;
localparam [11:0] A_PERF_CYCLES_HI         = 12'h084;
localparam [11:0] A_PERF_COMPUTE_LO        = 12'h088;
localparam [11:0] A_PERF_COMPUTE_HI        = 12'h08C;
localparam [11:0] A_PERF_STALL_LO          = 12'h090;
localparam [11:0] A_PERF_STALL_HI          = 12'h094;
localparam [11:0] A_PERF_BYTES_RD_LO       = 12'h098;
localparam [11:0] A_PERF_BYTES_RD_HI       = 12'h09C;
localparam [11:0] A_PERF_BYTES_WR_LO       = 12'h0A0;
localparam [11:0] A_PERF_BYTES_WR_HI       = 12'h0A4;
localparam [11:0] A_PERF_TILES             = 12'h0A8;
localparam [11:0] A_PERF_TILES_SKIPPED     = 12'h0AC;
// reset values (parameter-dependent fields use the module's parameters)
localparam [31:0] R_ID                     = 32'h43534149;
localparam [31:0] R_VERSION                = 32'h00000300;
localparam [31:0] R_HWCFG                  = 32'h00000000 | ((ARRAY_N) << 0) | ((BUS_W/8) << 8) | ((A_PANELS) << 16);
localparam [31:0] R_MEM_BYTES              = 32'h00000000 | ((MEM_BYTES) << 0);
localparam [31:0] R_CTRL                   = 32'h00000028;
localparam [31:0] R_STATUS                 = 32'h00000000;
localparam [31:0] R_IRQ_STATUS             = 32'h00000000;
localparam [31:0] R_LIMITS                 = 32'h00000000 | ((KMAX) << 0) | ((CHAIN_MAX) << 16);
localparam [31:0] R_A_ADDR                 = 32'h00000000;
localparam [31:0] R_B_ADDR                 = 32'h00000000;
localparam [31:0] R_C_ADDR                 = 32'h00000000;
localparam [31:0] R_BIAS_ADDR              = 32'h00000000;
localparam [31:0] R_SPMAP_ADDR             = 32'h00000000;
localparam [31:0] R_CHAIN_ADDR             = 32'h00000000;
localparam [31:0] R_M                      = 32'h00000000;
localparam [31:0] R_N                      = 32'h00000000;
localparam [31:0] R_K                      = 32'h00000000;
localparam [31:0] R_LDA                    = 32'h00000000;
localparam [31:0] R_LDB                    = 32'h00000000;
localparam [31:0] R_LDC                    = 32'h00000000;
localparam [31:0] R_SCALE                  = 32'h00000001;
localparam [31:0] R_SHIFT                  = 32'h00000000;
localparam [31:0] R_FLAGS                  = 32'h00000000;
localparam [31:0] R_PERF_CYCLES_LO         = 32'h00000000;
localparam [31:0] R_PERF_CYCLES_HI         = 32'h00000000;
localparam [31:0] R_PERF_COMPUTE_LO        = 32'h00000000;
localparam [31:0] R_PERF_COMPUTE_HI        = 32'h00000000;
localparam [31:0] R_PERF_STALL_LO          = 32'h00000000;
localparam [31:0] R_PERF_STALL_HI          = 32'h00000000;
localparam [31:0] R_PERF_BYTES_RD_LO       = 32'h00000000;
localparam [31:0] R_PERF_BYTES_RD_HI       = 32'h00000000;
localparam [31:0] R_PERF_BYTES_WR_LO       = 32'h00000000;
localparam [31:0] R_PERF_BYTES_WR_HI       = 32'h00000000;
localparam [31:0] R_PERF_TILES             = 32'h00000000;
localparam [31:0] R_PERF_TILES_SKIPPED     = 32'h00000000;
// field masks by access type: RW (read/write), W1P (pulse), W1C (clear), RO
localparam [31:0] M_CTRL_RW                = 32'h0000003C;
localparam [31:0] M_CTRL_W1P               = 32'h00000003;
localparam [31:0] M_STATUS_W1C             = 32'h00000006;
localparam [31:0] M_IRQ_STATUS_W1C         = 32'h00000003;
localparam [31:0] M_A_ADDR_RW              = 32'hFFFFFFFF;
localparam [31:0] M_B_ADDR_RW              = 32'hFFFFFFFF;
localparam [31:0] M_C_ADDR_RW              = 32'hFFFFFFFF;
localparam [31:0] M_BIAS_ADDR_RW           = 32'hFFFFFFFF;
localparam [31:0] M_SPMAP_ADDR_RW          = 32'hFFFFFFFF;
localparam [31:0] M_CHAIN_ADDR_RW          = 32'hFFFFFFFF;
localparam [31:0] M_M_RW                   = 32'h0000FFFF;
localparam [31:0] M_N_RW                   = 32'h0000FFFF;
localparam [31:0] M_K_RW                   = 32'h0000FFFF;
localparam [31:0] M_LDA_RW                 = 32'hFFFFFFFF;
localparam [31:0] M_LDB_RW                 = 32'hFFFFFFFF;
localparam [31:0] M_LDC_RW                 = 32'hFFFFFFFF;
localparam [31:0] M_SCALE_RW               = 32'hFFFFFFFF;
localparam [31:0] M_SHIFT_RW               = 32'h0000003F;
localparam [31:0] M_FLAGS_RW               = 32'h0000001F;
// field positions (lsb)
localparam integer B_VERSION_PATCH              = 0;
localparam integer B_VERSION_MINOR              = 8;
localparam integer B_VERSION_MAJOR              = 16;
localparam integer B_HWCFG_ARRAY_N              = 0;
localparam integer B_HWCFG_BUS_BYTES            = 8;
localparam integer B_HWCFG_A_PANELS             = 16;
localparam integer B_CTRL_START                 = 0;
localparam integer B_CTRL_SOFT_RESET            = 1;
localparam integer B_CTRL_IRQ_ENABLE            = 2;
localparam integer B_CTRL_OVERLAP_ENABLE        = 3;
localparam integer B_CTRL_CHAIN_ENABLE          = 4;
localparam integer B_CTRL_READ_BURSTS           = 5;
localparam integer B_STATUS_BUSY                = 0;
localparam integer B_STATUS_DONE                = 1;
localparam integer B_STATUS_ERROR               = 2;
localparam integer B_STATUS_ERROR_CODE          = 8;
localparam integer B_IRQ_STATUS_DONE            = 0;
localparam integer B_IRQ_STATUS_ERROR           = 1;
localparam integer B_LIMITS_KMAX                = 0;
localparam integer B_LIMITS_CHAIN_MAX           = 16;
localparam integer B_FLAGS_OUT_INT8             = 0;
localparam integer B_FLAGS_RELU                 = 1;
localparam integer B_FLAGS_BIAS_EN              = 2;
localparam integer B_FLAGS_PER_CHANNEL_SCALE    = 3;
localparam integer B_FLAGS_BLOCK_SPARSE         = 4;
// STATUS.error_code values
localparam [7:0] E_NONE                   = 8'd0;
localparam [7:0] E_ZERO_DIM               = 8'd1;
localparam [7:0] E_DIM_TOO_LARGE          = 8'd2;
localparam [7:0] E_ADDR_RANGE             = 8'd3;
localparam [7:0] E_OVERLAP                = 8'd4;
localparam [7:0] E_MISALIGNED             = 8'd5;
localparam [7:0] E_START_WHILE_BUSY       = 8'd6;
localparam [7:0] E_WRITE_RO               = 8'd7;
localparam [7:0] E_AXI_READ_ERROR         = 8'd8;
localparam [7:0] E_AXI_WRITE_ERROR        = 8'd9;
localparam [7:0] E_BAD_FLAGS              = 8'd10;
localparam [7:0] E_BAD_CHAIN              = 8'd11;
localparam [7:0] E_BAD_REG_ADDR           = 8'd12;
// ---- END GENERATED ----
    /* verilator lint_on UNUSEDPARAM */

    localparam [1:0] RESP_OKAY = 2'b00, RESP_SLVERR = 2'b10;

    // ---------------- storage ----------------
    reg [31:0] r_ctrl;                  // rw bits of CTRL (w1p bits are never stored)
    reg [31:0] r_a_addr, r_b_addr, r_c_addr, r_bias_addr, r_spmap_addr, r_chain_addr;
    reg [31:0] r_m, r_n, r_k, r_lda, r_ldb, r_ldc, r_scale, r_shift, r_flags;
    reg        st_done, st_error;
    reg [7:0]  st_code;
    reg [31:0] snap_cycles, snap_compute, snap_stall, snap_bytes_rd, snap_bytes_wr;

    assign irq_enable      = r_ctrl[B_CTRL_IRQ_ENABLE];
    assign overlap_enable  = r_ctrl[B_CTRL_OVERLAP_ENABLE];
    assign chain_enable    = r_ctrl[B_CTRL_CHAIN_ENABLE];
    assign read_bursts     = r_ctrl[B_CTRL_READ_BURSTS];
    assign desc_a_addr     = r_a_addr;
    assign desc_b_addr     = r_b_addr;
    assign desc_c_addr     = r_c_addr;
    assign desc_bias_addr  = r_bias_addr;
    assign desc_spmap_addr = r_spmap_addr;
    assign desc_chain_addr = r_chain_addr;
    assign desc_m          = r_m[15:0];
    assign desc_n          = r_n[15:0];
    assign desc_k          = r_k[15:0];
    assign desc_lda        = r_lda;
    assign desc_ldb        = r_ldb;
    assign desc_ldc        = r_ldc;
    assign desc_scale      = r_scale;
    assign desc_shift      = r_shift[5:0];
    assign desc_flags      = r_flags[4:0];
    assign irq             = irq_enable && (st_done || st_error);

    // The low two address bits select a byte within a register and are ignored (AXI4-Lite
    // accesses here are whole, aligned words; WSTRB selects the bytes).
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_addr_lsbs = &{1'b0, s_axi_awaddr[1:0], s_axi_araddr[1:0]};
    /* verilator lint_on UNUSEDSIGNAL */

    // ---------------- write channel ----------------
    reg        aw_hold, w_hold;
    reg [11:0] aw_addr_q;
    reg [31:0] w_data_q;
    reg [3:0]  w_strb_q;
    assign s_axi_awready = !aw_hold;
    assign s_axi_wready  = !w_hold;
    wire do_write = aw_hold && w_hold && !s_axi_bvalid;

    wire [31:0] wbe  = {{8{w_strb_q[3]}}, {8{w_strb_q[2]}}, {8{w_strb_q[1]}}, {8{w_strb_q[0]}}};
    wire [31:0] wset = w_data_q & wbe;  // bits written as 1 on strobed byte lanes

    reg wr_known, wr_ro;
    always @* begin
        wr_known = 1'b1;
        wr_ro    = 1'b0;
        case (aw_addr_q)
            A_ID, A_VERSION, A_HWCFG, A_MEM_BYTES, A_LIMITS,
            A_PERF_CYCLES_LO, A_PERF_CYCLES_HI, A_PERF_COMPUTE_LO, A_PERF_COMPUTE_HI,
            A_PERF_STALL_LO, A_PERF_STALL_HI, A_PERF_BYTES_RD_LO, A_PERF_BYTES_RD_HI,
            A_PERF_BYTES_WR_LO, A_PERF_BYTES_WR_HI, A_PERF_TILES, A_PERF_TILES_SKIPPED:
                wr_ro = 1'b1;
            A_CTRL, A_STATUS, A_IRQ_STATUS, A_A_ADDR, A_B_ADDR, A_C_ADDR, A_BIAS_ADDR,
            A_SPMAP_ADDR, A_CHAIN_ADDR, A_M, A_N, A_K, A_LDA, A_LDB, A_LDC, A_SCALE, A_SHIFT,
            A_FLAGS:
                wr_ro = 1'b0;
            default:
                wr_known = 1'b0;
        endcase
    end

    wire wr_ok  = do_write && wr_known && !wr_ro;
    wire we_ctrl = wr_ok && (aw_addr_q == A_CTRL);
    wire we_stat = wr_ok && (aw_addr_q == A_STATUS);
    wire we_irq  = wr_ok && (aw_addr_q == A_IRQ_STATUS);

    wire soft_req  = we_ctrl && wset[B_CTRL_SOFT_RESET];
    wire start_req = we_ctrl && wset[B_CTRL_START] && !soft_req;
    // STATUS.busy as the host sees it: from the cycle after an accepted start (the controller
    // raises `busy` one cycle later) until the cycle in which done or error becomes visible (the
    // controller drops `busy` in the cycle of its done/err pulse, which sets the sticky bit one
    // cycle later). So the first read with busy 0 already shows how the run ended, and a start
    // is never accepted in the cycle of a done pulse (which would leave the new run's done set).
    wire busy_seen = busy || start_pulse || done_set || err_set;
    wire start_ok  = start_req && !busy_seen;
    wire start_bad = start_req && busy_seen;

    wire clr_done = (we_stat && wset[B_STATUS_DONE]) || (we_irq && wset[B_IRQ_STATUS_DONE]) ||
                    start_ok || soft_req;
    wire clr_err  = (we_stat && wset[B_STATUS_ERROR]) || (we_irq && wset[B_IRQ_STATUS_ERROR]) ||
                    start_ok || soft_req;

    wire       rf_err  = do_write && (!wr_known || wr_ro || start_bad);
    wire [7:0] rf_code = !wr_known ? E_BAD_REG_ADDR : wr_ro ? E_WRITE_RO : E_START_WHILE_BUSY;
    wire       any_err  = err_set || rf_err;
    wire [7:0] any_code = err_set ? err_code_in : rf_code;

    // new value of a register from the held write: masked bits on strobed lanes replaced
    function [31:0] upd(input [31:0] old, input [31:0] mask, input [31:0] be, input [31:0] data);
        upd = (old & ~(be & mask)) | (data & be & mask);
    endfunction

    always @(posedge clk) begin
        if (rst) begin
            aw_hold <= 1'b0; w_hold <= 1'b0; s_axi_bvalid <= 1'b0; s_axi_bresp <= RESP_OKAY;
            aw_addr_q <= 12'd0; w_data_q <= 32'd0; w_strb_q <= 4'd0;
            start_pulse <= 1'b0; soft_reset_pulse <= 1'b0;
            r_ctrl <= R_CTRL;
            r_a_addr <= R_A_ADDR; r_b_addr <= R_B_ADDR; r_c_addr <= R_C_ADDR;
            r_bias_addr <= R_BIAS_ADDR; r_spmap_addr <= R_SPMAP_ADDR; r_chain_addr <= R_CHAIN_ADDR;
            r_m <= R_M; r_n <= R_N; r_k <= R_K; r_lda <= R_LDA; r_ldb <= R_LDB; r_ldc <= R_LDC;
            r_scale <= R_SCALE; r_shift <= R_SHIFT; r_flags <= R_FLAGS;
            st_done <= 1'b0; st_error <= 1'b0; st_code <= E_NONE;
        end else begin
            // AW and W holding registers
            if (s_axi_awvalid && s_axi_awready) begin
                aw_hold   <= 1'b1;
                aw_addr_q <= {s_axi_awaddr[11:2], 2'b00};
            end else if (do_write) begin
                aw_hold <= 1'b0;
            end
            if (s_axi_wvalid && s_axi_wready) begin
                w_hold   <= 1'b1;
                w_data_q <= s_axi_wdata;
                w_strb_q <= s_axi_wstrb;
            end else if (do_write) begin
                w_hold <= 1'b0;
            end
            // write response
            if (do_write) begin
                s_axi_bvalid <= 1'b1;
                s_axi_bresp  <= (wr_known && !wr_ro) ? RESP_OKAY : RESP_SLVERR;
            end else if (s_axi_bready) begin
                s_axi_bvalid <= 1'b0;
            end
            // rw registers
            if (wr_ok) begin
                case (aw_addr_q)
                    A_CTRL:       r_ctrl       <= upd(r_ctrl,       M_CTRL_RW,       wbe, w_data_q);
                    A_A_ADDR:     r_a_addr     <= upd(r_a_addr,     M_A_ADDR_RW,     wbe, w_data_q);
                    A_B_ADDR:     r_b_addr     <= upd(r_b_addr,     M_B_ADDR_RW,     wbe, w_data_q);
                    A_C_ADDR:     r_c_addr     <= upd(r_c_addr,     M_C_ADDR_RW,     wbe, w_data_q);
                    A_BIAS_ADDR:  r_bias_addr  <= upd(r_bias_addr,  M_BIAS_ADDR_RW,  wbe, w_data_q);
                    A_SPMAP_ADDR: r_spmap_addr <= upd(r_spmap_addr, M_SPMAP_ADDR_RW, wbe, w_data_q);
                    A_CHAIN_ADDR: r_chain_addr <= upd(r_chain_addr, M_CHAIN_ADDR_RW, wbe, w_data_q);
                    A_M:          r_m          <= upd(r_m,          M_M_RW,          wbe, w_data_q);
                    A_N:          r_n          <= upd(r_n,          M_N_RW,          wbe, w_data_q);
                    A_K:          r_k          <= upd(r_k,          M_K_RW,          wbe, w_data_q);
                    A_LDA:        r_lda        <= upd(r_lda,        M_LDA_RW,        wbe, w_data_q);
                    A_LDB:        r_ldb        <= upd(r_ldb,        M_LDB_RW,        wbe, w_data_q);
                    A_LDC:        r_ldc        <= upd(r_ldc,        M_LDC_RW,        wbe, w_data_q);
                    A_SCALE:      r_scale      <= upd(r_scale,      M_SCALE_RW,      wbe, w_data_q);
                    A_SHIFT:      r_shift      <= upd(r_shift,      M_SHIFT_RW,      wbe, w_data_q);
                    A_FLAGS:      r_flags      <= upd(r_flags,      M_FLAGS_RW,      wbe, w_data_q);
                    default: ;
                endcase
            end
            // pulses
            start_pulse      <= start_ok;
            soft_reset_pulse <= soft_req;
            // status: a set in the same cycle as a clear wins (no event is lost)
            if (done_set)      st_done <= 1'b1;
            else if (clr_done) st_done <= 1'b0;
            if (any_err && (!st_error || clr_err)) begin
                st_error <= 1'b1;
                st_code  <= any_code;
            end else if (clr_err) begin
                st_error <= 1'b0;
                st_code  <= E_NONE;
            end
        end
    end

    // ---------------- read channel ----------------
    assign s_axi_arready = !s_axi_rvalid;
    wire [11:0] ra = {s_axi_araddr[11:2], 2'b00};

    reg [31:0] rd_val;
    reg        rd_known;
    always @* begin
        rd_val   = 32'd0;
        rd_known = 1'b1;
        case (ra)
            A_ID:               rd_val = R_ID;
            A_VERSION:          rd_val = R_VERSION;
            A_HWCFG:            rd_val = R_HWCFG;
            A_MEM_BYTES:        rd_val = R_MEM_BYTES;
            A_LIMITS:           rd_val = R_LIMITS;
            A_CTRL:             rd_val = r_ctrl;
            A_STATUS: begin
                rd_val[B_STATUS_BUSY]          = busy_seen;
                rd_val[B_STATUS_DONE]          = st_done;
                rd_val[B_STATUS_ERROR]         = st_error;
                rd_val[B_STATUS_ERROR_CODE +: 8] = st_code;
            end
            A_IRQ_STATUS: begin
                rd_val[B_IRQ_STATUS_DONE]  = st_done && irq_enable;
                rd_val[B_IRQ_STATUS_ERROR] = st_error && irq_enable;
            end
            A_A_ADDR:           rd_val = r_a_addr;
            A_B_ADDR:           rd_val = r_b_addr;
            A_C_ADDR:           rd_val = r_c_addr;
            A_BIAS_ADDR:        rd_val = r_bias_addr;
            A_SPMAP_ADDR:       rd_val = r_spmap_addr;
            A_CHAIN_ADDR:       rd_val = r_chain_addr;
            A_M:                rd_val = r_m;
            A_N:                rd_val = r_n;
            A_K:                rd_val = r_k;
            A_LDA:              rd_val = r_lda;
            A_LDB:              rd_val = r_ldb;
            A_LDC:              rd_val = r_ldc;
            A_SCALE:            rd_val = r_scale;
            A_SHIFT:            rd_val = r_shift;
            A_FLAGS:            rd_val = r_flags;
            A_PERF_CYCLES_LO:   rd_val = perf_cycles[31:0];
            A_PERF_CYCLES_HI:   rd_val = snap_cycles;
            A_PERF_COMPUTE_LO:  rd_val = perf_compute[31:0];
            A_PERF_COMPUTE_HI:  rd_val = snap_compute;
            A_PERF_STALL_LO:    rd_val = perf_stall[31:0];
            A_PERF_STALL_HI:    rd_val = snap_stall;
            A_PERF_BYTES_RD_LO: rd_val = perf_bytes_rd[31:0];
            A_PERF_BYTES_RD_HI: rd_val = snap_bytes_rd;
            A_PERF_BYTES_WR_LO: rd_val = perf_bytes_wr[31:0];
            A_PERF_BYTES_WR_HI: rd_val = snap_bytes_wr;
            A_PERF_TILES:       rd_val = perf_tiles;
            A_PERF_TILES_SKIPPED: rd_val = perf_tiles_skipped;
            default:            rd_known = 1'b0;
        endcase
    end

    always @(posedge clk) begin
        if (rst) begin
            s_axi_rvalid <= 1'b0; s_axi_rdata <= 32'd0; s_axi_rresp <= RESP_OKAY;
            snap_cycles <= 32'd0; snap_compute <= 32'd0; snap_stall <= 32'd0;
            snap_bytes_rd <= 32'd0; snap_bytes_wr <= 32'd0;
        end else begin
            if (s_axi_arvalid && s_axi_arready) begin
                s_axi_rvalid <= 1'b1;
                s_axi_rdata  <= rd_val;
                s_axi_rresp  <= rd_known ? RESP_OKAY : RESP_SLVERR;
                // reading a _LO word latches its _HI word: the pair is one 64-bit sample
                if (ra == A_PERF_CYCLES_LO)   snap_cycles   <= perf_cycles[63:32];
                if (ra == A_PERF_COMPUTE_LO)  snap_compute  <= perf_compute[63:32];
                if (ra == A_PERF_STALL_LO)    snap_stall    <= perf_stall[63:32];
                if (ra == A_PERF_BYTES_RD_LO) snap_bytes_rd <= perf_bytes_rd[63:32];
                if (ra == A_PERF_BYTES_WR_LO) snap_bytes_wr <= perf_bytes_wr[63:32];
            end else if (s_axi_rready) begin
                s_axi_rvalid <= 1'b0;
            end
        end
    end
endmodule
`default_nettype wire
