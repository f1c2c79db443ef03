`default_nettype none
// Simple dual-port RAM: one write port, one read port with a registered output that holds
// its value while rd_en is low. Infers block RAM in FPGA and SRAM macros in ASIC flows.
module sdp_ram #(
    parameter integer WIDTH = 64,    // bits per entry
    parameter integer DEPTH = 1024   // entries
) (
    input  wire                     clk,
    input  wire                     wr_en,
    input  wire [((DEPTH > 1) ? $clog2(DEPTH) : 1)-1:0]            wr_addr,
    input  wire [WIDTH-1:0]         wr_data,
    input  wire                     rd_en,
    input  wire [((DEPTH > 1) ? $clog2(DEPTH) : 1)-1:0]            rd_addr,
    output reg  [WIDTH-1:0]         rd_data
);
    reg [WIDTH-1:0] mem [0:DEPTH-1];
    always @(posedge clk) begin
        if (wr_en) mem[wr_addr] <= wr_data;
        if (rd_en) rd_data <= mem[rd_addr];
    end
endmodule
`default_nettype wire
