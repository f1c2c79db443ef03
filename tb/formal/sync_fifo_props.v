`default_nettype none
// Properties of rtl/sync_fifo.v (first-word-fall-through FIFO), proven by k-induction at
// WIDTH = 4, DEPTH = 4 (tb/formal/sync_fifo.sby). The .sby script `expose`s the FIFO's pointers
// and memory words as ports (Yosys' Verilog frontend has neither `bind` nor hierarchical names),
// so the wrapper can state the invariants that make the induction close.
//
// Stream rule used throughout: an entry moves in on in_valid && in_ready and out on
// out_valid && out_ready; the FIFO puts no requirement on its neighbours (a producer may drop
// in_valid, a consumer may drop out_ready), so nothing is assumed about them.
module sync_fifo_props (
    input wire       clk,
    input wire       rst,
    input wire       in_valid,
    input wire [3:0] in_data,
    input wire       out_ready,
    input wire       trk_pick   // free input: track the entry pushed in this cycle
);
    localparam integer WIDTH = 4, DEPTH = 4, AW = 2;

    wire             in_ready, out_valid;
    wire [WIDTH-1:0] out_data;
    wire [AW:0]      count;
    wire [AW-1:0]    rd_ptr, wr_ptr;
    wire [WIDTH-1:0] m0, m1, m2, m3;

    sync_fifo dut (
        .clk(clk), .rst(rst), .in_valid(in_valid), .in_ready(in_ready), .in_data(in_data),
        .out_valid(out_valid), .out_ready(out_ready), .out_data(out_data), .count(count),
        .rd_ptr(rd_ptr), .wr_ptr(wr_ptr),
        .\mem[0] (m0), .\mem[1] (m1), .\mem[2] (m2), .\mem[3] (m3));

    reg f_past_valid = 1'b0;
    always @(posedge clk) f_past_valid <= 1'b1;
    // the proof starts in reset
    always @(*) if (!f_past_valid) assume(rst);

    wire push = in_valid && in_ready;
    wire pop  = out_valid && out_ready;

    // ---- one tracked entry: its data and the number of entries ahead of it ----
    reg             trk = 1'b0;
    reg [WIDTH-1:0] trk_data;
    reg [AW:0]      trk_pos;
    always @(posedge clk) begin
        if (rst) begin
            trk <= 1'b0;
        end else if (trk) begin
            if (pop) begin
                if (trk_pos == 0) trk <= 1'b0;
                else trk_pos <= trk_pos - 1'b1;
            end
        end else if (push && trk_pick) begin
            trk      <= 1'b1;
            trk_data <= in_data;
            trk_pos  <= count - {{AW{1'b0}}, pop};
        end
    end

    function [WIDTH-1:0] word(input [AW-1:0] i);
        word = (i == 2'd0) ? m0 : (i == 2'd1) ? m1 : (i == 2'd2) ? m2 : m3;
    endfunction

    always @(*) begin
        if (!rst) begin
            // no overflow, no underflow: the count stays within 0..DEPTH (an underflow would
            // wrap it past DEPTH)
            assert(count <= DEPTH);
            // flags consistent with the count: ready exactly when not full, valid exactly
            // when not empty
            assert(in_ready == (count != DEPTH));
            assert(out_valid == (count != 0));
            // order preserved: the tracked entry is still inside, and when no entry is ahead
            // of it, it is the head, with the data it was pushed with
            if (trk) assert(trk_pos < count);
            if (trk && trk_pos == 0) assert(out_valid && out_data == trk_data);
            // auxiliary invariants for the induction: pointers agree with the count, and the
            // tracked entry's memory word holds its data
            assert(wr_ptr - rd_ptr == count[AW-1:0]);
            if (trk) assert(word(rd_ptr + trk_pos[AW-1:0]) == trk_data);
        end
    end

    // the count moves by exactly the handshakes of the previous cycle
    always @(posedge clk)
        if (f_past_valid && !$past(rst) && !rst)
            assert(count == $past(count) + $past(push) - $past(pop));

    // reachability: full, and the tracked entry leaving from behind another one
    always @(posedge clk) begin
        if (!rst) cover(count == DEPTH);
        if (!rst && f_past_valid) cover($past(trk && trk_pos == 1 && pop) && trk && pop);
    end
endmodule
`default_nettype wire
